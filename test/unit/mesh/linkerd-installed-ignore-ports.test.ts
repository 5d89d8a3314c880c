// The install's proxyInit.ignoreInboundPorts, read from ConfigMap linkerd/linkerd-config, replaces
// the chart default every consumer of a Linkerd workload's inbound skip list assumed:
// mtls.linkerd-skip-ports, mtls.authz-missing, mtls.linkerd-unauthenticated-default, the mesh
// posture and `reach`.
//
// Upstream (linkerd2, stable-2.14.10 and edge-26.8.3):
// - charts/linkerd-control-plane/templates/config.yaml: ConfigMap linkerd-config, key `values`,
//   `toYaml` of the chart values (less secrets), so proxyInit.ignoreInboundPorts is there.
// - controller/proxy-injector/webhook.go and pkg/config/config.go Values: the injector reads that
//   file (sigs.k8s.io/yaml) into pkg/charts/linkerd2/values.go, IgnoreInboundPorts a Go string; it
//   renders each pod's linkerd-init with it (charts/partials/templates/_proxy-init.tpl
//   --inbound-ports-to-ignore "<control>,<admin>,<proxyInit.ignoreInboundPorts>") unless the pod
//   says config.linkerd.io/skip-inbound-ports (pkg/inject/inject.go).
// - charts/linkerd-control-plane/values.yaml: the default "4567,4568".
// - Ranges and malformed entries: linkerd2-proxy-init (proxy-init/v2.4.9) reads the list with
//   pflag StringSlice and pkg/iptables/iptables.go makeMultiportDestinations takes "lo-hi" ranges
//   (pkg/util/portrange.go ParsePortRange) and logs and leaves out an entry it rejects, as linkerd2
//   pkg/util/parsing.go ParsePorts does.
import { describe, expect, it } from 'vitest';
import { linkerdSkipPorts } from '../../../checks/mtls/linkerd-skip-ports.ts';
import { authzMissing } from '../../../checks/mtls/authz-missing.ts';
import { linkerdUnauthenticatedDefault } from '../../../checks/mtls/linkerd-unauthenticated-default.ts';
import { workloadOutsideMesh } from '../../../checks/mtls/workload-outside-mesh.ts';
import { meshWorkloadModes } from '../../../src/analysis/mesh/index.ts';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import { ctxOf, run } from './helpers.ts';

const linkerdConfig = (values: string) => `
apiVersion: v1
kind: ConfigMap
metadata: {name: linkerd-config, namespace: linkerd}
data:
  values: |
${values.split('\n').map((l) => `    ${l}`).join('\n')}
---`;
// Galera declaring 3306 and 4567 behind a deny default, and a caller; a template to be injected.
const scene = (prefix: string) => `${prefix}
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled, config.linkerd.io/default-inbound-policy: deny}}
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
// ignoreOutboundPorts empty: only the inbound list is at stake here (linkerd-outbound-default.test.ts has the outbound one).
const installed = (ports: string) => scene(linkerdConfig(`proxyInit:\n  ignoreInboundPorts: ${JSON.stringify(ports)}\n  ignoreOutboundPorts: ""`));
const galera = { kind: 'Deployment', namespace: 'shop', name: 'galera' };
const web = { kind: 'Deployment', namespace: 'shop', name: 'web' };
const skip = (y: string) => run(linkerdSkipPorts, ctxOf(y)).find((v) => v.resource.name === 'galera')!;
const authz = (y: string) => run(authzMissing, ctxOf(y)).find((v) => v.resource.kind === 'Deployment' && v.resource.name === 'galera')!;
const weak = (y: string) => { const c = ctxOf(y); return meshWorkloadModes(c.snapshot, c.config).find((e) => e.workload.name === 'galera')!.weakPorts; };
const reach = (y: string, port: number) => { const c = ctxOf(y); return meshFlowVerdict(c.snapshot, c.config, web, galera, port, 'TCP'); };
const INSTALLED = 'installed (ConfigMap linkerd/linkerd-config)';

describe('Linkerd: the installed proxyInit.ignoreInboundPorts replaces the assumed chart default', () => {
  it('mtls.linkerd-skip-ports: installed "3306" skips 3306, not 4567, and says it was read', () => {
    const v = skip(installed('3306'));
    expect(v.status).toBe('fail');
    expect(v.evidence?.inbound).toEqual({ ports: ['3306'], source: `proxyInit.ignoreInboundPorts 3306, ${INSTALLED}: no config.linkerd.io/skip-inbound-ports annotation`, installedDefault: true });
    expect(v.message).toContain('inbound 3306 bypass the linkerd-proxy');
    expect(v.message).not.toContain('4567');
    expect(v.message).not.toContain('default assumed');
  });

  it('keys are read as the injector reads them: case-insensitively, a repeated key\'s last value winning', () => {
    // sigs.k8s.io/yaml.Unmarshal: YAMLToJSON (goyaml.v2 non-strict: a repeated key overwrites) then
    // encoding/json into the Values struct, which matches keys case-insensitively (its documentation).
    const y = scene(linkerdConfig('ProxyInit:\n  IgnoreInboundPorts: "4567"\n  IgnoreInboundPorts: "3306"\n  ignoreOutboundPorts: ""'));
    expect(skip(y).evidence?.inbound).toMatchObject({ ports: ['3306'], installedDefault: true });
  });

  it('an installed empty value skips nothing: a workload declaring 4567 passes', () => {
    expect(skip(installed('')).status).toBe('pass');
  });

  it('ranges and bad entries are read as proxy-init does; only declared ports are given', () => {
    expect(skip(installed('4560-4570')).evidence?.inbound).toMatchObject({ ports: ['4560-4570'] });
    expect(skip(installed('3306,mysql,70000,9-3')).evidence?.inbound).toEqual(expect.objectContaining({ ports: ['3306'], installedDefault: true }));
    // 9999 is installed but declared by no container: nothing shows a listener there.
    expect(skip(installed('9999')).status).toBe('pass');
  });

  it('the pod annotation still replaces the installed value', () => {
    const y = installed('3306').replace('metadata: {labels: {app: galera}}', 'metadata: {labels: {app: galera}, annotations: {config.linkerd.io/skip-inbound-ports: "4567"}}');
    expect(skip(y).evidence?.inbound).toMatchObject({ ports: ['4567'], source: 'pod annotation config.linkerd.io/skip-inbound-ports' });
  });

  it('unparsable values, a value that is not a string, or no ConfigMap: the chart default stays assumed, said so', () => {
    for (const y of [scene(linkerdConfig('proxyInit: [')), scene(linkerdConfig('proxyInit:\n  ignoreInboundPorts: 3306')), scene('')]) {
      const v = skip(y);
      expect(v.evidence?.inbound).toMatchObject({ ports: ['4567'], assumedDefault: true });
      expect(v.message).toContain("Linkerd's default proxyInit.ignoreInboundPorts 4567,4568, default assumed");
    }
  });

  it('under the Linkerd CNI plugin the installed proxyInit value is not used (the CNI plugin never reads it)', () => {
    const y = scene(linkerdConfig('cniEnabled: true\nproxyInit:\n  ignoreInboundPorts: "3306"'));
    expect(skip(y).status).toBe('pass');
  });

  it('mtls.authz-missing reports the installed skipped port, not the assumed one', () => {
    const v = authz(installed('3306'));
    expect(v.status).toBe('fail');
    expect(v.evidence?.skippedPorts).toEqual(['3306']);
    expect(v.evidence).toMatchObject({ installedDefault: true });
    expect(v.message).toContain(`port 3306 skips its linkerd-proxy (proxyInit.ignoreInboundPorts 3306, ${INSTALLED}`);
  });

  it('mtls.linkerd-unauthenticated-default names the installed skip', () => {
    const v = run(linkerdUnauthenticatedDefault, ctxOf(installed('3306'))).find((x) => x.resource.name === 'galera')!;
    expect(v.evidence).toMatchObject({ skippedPorts: [3306], skippedBy: expect.stringContaining(INSTALLED) });
  });

  it('the mesh posture marks the installed port weak, not 4567', () => {
    expect(weak(installed('3306'))).toEqual({ 3306: expect.stringContaining(INSTALLED) });
    expect(weak(installed(''))).toBeUndefined();
  });

  it('reach: 3306 is skipped (allowed, plaintext, installed), 4567 is judged by the deny default', () => {
    const y = installed('3306');
    const skipped = reach(y, 3306);
    expect(skipped).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(skipped.reason).toContain(INSTALLED);
    const judged = reach(y, 4567);
    expect(judged.verdict).toBe('denied');
    expect(judged.reason).not.toContain('skipped by the linkerd-proxy');
  });
});

// linkerd2 pkg/config/config.go Values (stable-2.14.10 and edge-26.8.3): the proxy injector reads
// linkerd-config's values into an empty `&l5dcharts.Values{}` (yaml.Unmarshal), not into the
// chart's defaults, so a key the values lack keeps Go's zero value "" (pkg/charts/linkerd2/values.go
// ProxyInit.IgnoreInboundPorts / IgnoreOutboundPorts are strings); charts/partials/templates/_proxy-init.tpl
// then gives linkerd-init only the proxy's own ports inbound and no --outbound-ports-to-ignore.
describe('Linkerd: a proxyInit in linkerd-config without the key skips nothing (the injector reads it as "")', () => {
  it('no ignoreInboundPorts: 4567 is not skipped, and the finding does not assume the chart default', () => {
    const y = scene(linkerdConfig('proxyInit:\n  iptablesMode: legacy'));
    const v = skip(y);
    expect(v.status).toBe('pass');
    expect(v.message).not.toContain('default assumed');
    expect(weak(y)).toBeUndefined();
    expect(reach(y, 4567).verdict).toBe('denied');
  });

  it('ignoreInboundPorts: null is the zero value too', () => {
    expect(skip(scene(linkerdConfig('proxyInit:\n  ignoreInboundPorts: null\n  ignoreOutboundPorts: null'))).status).toBe('pass');
  });

  it('no ignoreOutboundPorts: a caller is not failed for 4567, which a meshed workload receives through its proxy', () => {
    const y = scene(linkerdConfig('proxyInit:\n  ignoreInboundPorts: ""'));
    const web = run(linkerdSkipPorts, ctxOf(y)).find((v) => v.resource.name === 'web')!;
    expect(web.status).toBe('pass');
    expect(web.message).not.toContain('4567');
  });
});

// linkerd2 stable-2.14.10 and edge-25.12.3: pkg/charts/linkerd2/values.go `ProxyInit *ProxyInit
// json:"proxyInit"` stays nil when linkerd-config's values have no proxyInit (or `proxyInit: null`),
// and pkg/inject/inject.go injectProxyInit dereferences it for every pod it injects
// (`values.ProxyInit.SAMountPath = values.Proxy.SAMountPath`, no nil check): the webhook handler
// panics, net/http drops the connection, the API server's webhook call fails, and under the chart's
// webhookFailurePolicy Ignore (charts/linkerd-control-plane/values.yaml) the pod starts without a
// proxy. Before: judged as injected with the chart default 4567,4568 skipped.
describe('Linkerd: linkerd-config values with no proxyInit at all: the injector cannot inject', () => {
  for (const values of ['proxy:\n  defaultInboundPolicy: deny', 'proxyInit: null\nproxy:\n  defaultInboundPolicy: deny']) {
    it(`${JSON.stringify(values.split('\n')[0])}: a template to be injected is outside the mesh, the reason naming the ConfigMap; reach treats it as unmeshed`, () => {
      const y = scene(linkerdConfig(values));
      const c = ctxOf(y);
      const entry = meshWorkloadModes(c.snapshot, c.config).find((e) => e.workload.name === 'galera');
      expect(entry).toMatchObject({ mesh: 'none', posture: 'outside' });
      expect(run(linkerdSkipPorts, c).find((v) => v.resource.name === 'galera')).toBeUndefined();
      const outside = run(workloadOutsideMesh, c).find((v) => v.resource.name === 'galera')!;
      expect(outside.status).toBe('fail');
      expect(outside.message).toContain('namespace annotation linkerd.io/inject=enabled, but Linkerd\'s proxy injector cannot inject it: the values in ConfigMap linkerd/linkerd-config have no proxyInit');
      expect(reach(y, 4567).mesh).toBe('none');
    });
  }

  // Before stable-2.10 the values held proxyInit under `global` (charts/linkerd2/values.yaml at
  // stable-2.9.0; pkg/inject/inject.go there reads values.Global.ProxyInit): such an install injects.
  // The mr5 review's repro /tmp/rev-mr5/l29: a false "outside the mesh" (high) on every workload.
  it('a stable-2.9 linkerd-config (proxyInit under global): the injector injects, the template is meshed', () => {
    const y = scene(linkerdConfig('global:\n  proxyInit:\n    ignoreInboundPorts: "25,443,587,3306,11211"\n    ignoreOutboundPorts: "25,443,587,3306,11211"'));
    const c = ctxOf(y);
    expect(meshWorkloadModes(c.snapshot, c.config).find((e) => e.workload.name === 'galera')?.mesh).toBe('linkerd');
    expect(run(workloadOutsideMesh, c).find((v) => v.resource.name === 'galera')?.status).not.toBe('fail');
  });

  it('a template already carrying its linkerd-proxy (injected by hand) is still meshed', () => {
    const y = scene(linkerdConfig('proxy:\n  defaultInboundPolicy: deny')).replace('containers: [{name: galera, image: example/galera:1, ports: [{containerPort: 3306}, {containerPort: 4567}]}]', 'containers: [{name: galera, image: example/galera:1, ports: [{containerPort: 3306}, {containerPort: 4567}]}, {name: linkerd-proxy, image: example/proxy:1}]');
    expect(y).toContain('name: linkerd-proxy');
    const c = ctxOf(y);
    expect(meshWorkloadModes(c.snapshot, c.config).find((e) => e.workload.name === 'galera')?.mesh).toBe('linkerd');
  });
});
