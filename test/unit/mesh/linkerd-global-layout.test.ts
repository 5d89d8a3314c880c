// Linkerd stable-2.9 and older keep the install's settings under the Helm `global` key of
// linkerd-config's values, and those settings now change verdicts as the top-level ones of
// stable-2.10 and later do: global.cniEnabled, global.identityTrustDomain,
// global.proxyInit.ignoreInboundPorts / ignoreOutboundPorts.
//
// Upstream (linkerd2, tag stable-2.9.4):
// - charts/linkerd2/values.yaml: `global:` holds cniEnabled (false), identityTrustDomain
//   (cluster.local) and proxyInit.ignoreInboundPorts / ignoreOutboundPorts; webhookFailurePolicy
//   is top-level.
// - charts/linkerd2/templates/config.yaml: ConfigMap linkerd-config, key `values`, `toYaml` of
//   those values (less keys), which the proxy injector reads (controller/proxy-injector/webhook.go
//   config.Values, pkg/config/config.go: sigs.k8s.io/yaml into pkg/charts/linkerd2/values.go,
//   where Values.Global *Global holds CNIEnabled, IdentityTrustDomain and ProxyInit).
// - charts/partials/templates/_proxy-init.tpl: --inbound-ports-to-ignore
//   "<control>,<admin>,<global.proxyInit.ignoreInboundPorts>"; charts/patch/templates/patch.json adds
//   linkerd-init only `if and .Values.global.proxyInit (not .Values.global.cniEnabled)`.
// - pkg/inject/inject.go injectProxyInit: `values.GetGlobal().ProxyInit.Capabilities = ...` for every
//   pod injected, no nil check: a `global` without proxyInit panics the handler, as a missing
//   top-level proxyInit does from stable-2.10 (linkerd-installed-ignore-ports.test.ts).
// Before: only the top-level keys were read, so a 2.9 install's skip list, CNI plugin and trust
// domain were taken for the chart defaults of 2.10+ (4567,4568 skipped, no CNI, cluster.local).
import { describe, expect, it } from 'vitest';
import { linkerdSkipPorts } from '../../../checks/mtls/linkerd-skip-ports.ts';
import { workloadOutsideMesh } from '../../../checks/mtls/workload-outside-mesh.ts';
import { meshWorkloadModes } from '../../../src/analysis/mesh/index.ts';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import { ctxOf, run } from './helpers.ts';

const linkerdConfig = (values: string) => `
apiVersion: v1
kind: ConfigMap
metadata: {name: linkerd-config, namespace: linkerd, annotations: {linkerd.io/created-by: linkerd/helm stable-2.9.4}}
data:
  values: |
${values.split('\n').map((l) => `    ${l}`).join('\n')}
---`;
const scene = (prefix: string, extra = '') => `${prefix}
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: linkerd-viz, annotations: {linkerd.io/inject: enabled}}
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
metadata: {name: tap, namespace: linkerd-viz}
spec:
  selector: {matchLabels: {app: tap}}
  template:
    metadata: {labels: {app: tap}}
    spec:
      serviceAccountName: tap
      containers: [{name: tap, image: example/tap:1}]
${extra}`;
const global29 = (settings: string) => linkerdConfig(`webhookFailurePolicy: Ignore\nglobal:\n${settings.split('\n').map((l) => `  ${l}`).join('\n')}`);
const skip = (y: string) => run(linkerdSkipPorts, ctxOf(y)).find((v) => v.resource.name === 'galera')!;

describe('Linkerd stable-2.9: settings under global in linkerd-config are read', () => {
  it('global.proxyInit.ignoreInboundPorts "3306" skips 3306, not the 2.10+ chart default 4567, and says it was read', () => {
    const v = skip(scene(global29('proxyInit:\n  ignoreInboundPorts: "3306"\n  ignoreOutboundPorts: ""')));
    expect(v.status).toBe('fail');
    expect(v.evidence?.inbound).toEqual({ ports: ['3306'], source: 'proxyInit.ignoreInboundPorts 3306, installed (ConfigMap linkerd/linkerd-config, under global): no config.linkerd.io/skip-inbound-ports annotation', installedDefault: true });
    expect(v.message).not.toContain('4567');
    expect(v.message).not.toContain('default assumed');
  });

  it('global.proxyInit with no ignoreInboundPorts skips nothing (the injector reads Go\'s zero value "")', () => {
    const v = skip(scene(global29('proxyInit:\n  ignoreOutboundPorts: ""')));
    expect(v.status).toBe('pass');
    expect(v.message).not.toContain('default assumed');
  });

  it('global.cniEnabled: true: the CNI plugin never reads proxyInit, so the installed 3306 is not skipped', () => {
    const v = skip(scene(global29('cniEnabled: true\nproxyInit:\n  ignoreInboundPorts: "3306"\n  ignoreOutboundPorts: ""')));
    expect(v.status).toBe('pass');
    expect(v.message).not.toContain('3306 bypass');
  });

  it('global.identityTrustDomain names the callers\' identities: the tap controller of corp.example reaches a pod\'s tap port', () => {
    const pod = `---
apiVersion: v1
kind: Pod
metadata: {name: cache-0, namespace: shop, labels: {app: cache}, annotations: {linkerd.io/inject: enabled}}
spec:
  containers:
  - {name: cache, image: example/cache:1}
  - {name: linkerd-proxy, image: example/proxy:1, env: [{name: LINKERD2_PROXY_TAP_SVC_NAME, value: tap.linkerd-viz.serviceaccount.identity.linkerd.corp.example}]}
`;
    const c = ctxOf(scene(global29('identityTrustDomain: corp.example\nproxyInit:\n  ignoreInboundPorts: ""'), pod));
    const v = meshFlowVerdict(c.snapshot, c.config, { kind: 'Deployment', namespace: 'linkerd-viz', name: 'tap' }, { kind: 'Pod', namespace: 'shop', name: 'cache-0' }, 4190, 'TCP');
    expect(v.verdict).toBe('allowed');
  });

  it('a global without proxyInit: the injector of 2.9 cannot inject either, and the workload is outside the mesh, the reason naming where', () => {
    const c = ctxOf(scene(global29('identityTrustDomain: cluster.local')));
    expect(meshWorkloadModes(c.snapshot, c.config).find((e) => e.workload.name === 'galera')?.mesh).toBe('none');
    const v = run(workloadOutsideMesh, c).find((x) => x.resource.name === 'galera')!;
    expect(v.status).toBe('fail');
    expect(v.message).toContain('the values in ConfigMap linkerd/linkerd-config have no global.proxyInit');
  });
});

// The release named in the values decides the layout before the `global` mapping does. Upstream
// (linkerd2): stable-2.10.0 charts/linkerd2/values.yaml has a top-level `linkerdVersion` (and
// pkg/charts/linkerd2/values.go top-level LinkerdVersion, CliVersion and no Global field), while
// stable-2.9.4 has `global.linkerdVersion` (values.go Global.LinkerdVersion, Global.CliVersion);
// Values.Global is in values.go at edge-21.2.1 and gone at edge-21.2.2. A 2.10+ install upgraded
// with `helm upgrade --reuse-values` keeps what was given to the 2.9 chart, `global` included, and
// its injector never reads it.
// Before: any `global` mapping meant the 2.9 layout, so such an install's top-level proxyInit was
// not read, proxyInit was said absent and every template taken for refused or outside the mesh.
describe('Linkerd: the release named in linkerd-config decides the layout, a stale global mapping aside', () => {
  const values = (lines: string) => linkerdConfig(`webhookFailurePolicy: Ignore\n${lines}`);
  const outside = (y: string) => run(workloadOutsideMesh, ctxOf(y)).find((v) => v.resource.name === 'galera')!;

  it('linkerdVersion stable-2.10.0 with a stale global: the top-level proxyInit is read, the workload is meshed and skips 3306', () => {
    const y = scene(values('linkerdVersion: stable-2.10.0\nproxyInit:\n  ignoreInboundPorts: "3306"\nglobal:\n  identityTrustDomain: cluster.local\n  proxyInit:\n    ignoreInboundPorts: "9999"'));
    const c = ctxOf(y);
    expect(meshWorkloadModes(c.snapshot, c.config).find((e) => e.workload.name === 'galera')?.mesh).toBe('linkerd');
    expect(outside(y).status).toBe('pass');
    expect(skip(y).evidence?.inbound).toEqual({ ports: ['3306'], source: 'proxyInit.ignoreInboundPorts 3306, installed (ConfigMap linkerd/linkerd-config): no config.linkerd.io/skip-inbound-ports annotation', installedDefault: true });
  });

  it('cliVersion "linkerd/cli stable-2.14.10" and edge-21.2.2 likewise; edge-21.2.1 keeps the global layout', () => {
    for (const version of ['cliVersion: linkerd/cli stable-2.14.10', 'linkerdVersion: edge-21.2.2', 'linkerdVersion: enterprise-2.15.1']) {
      expect(outside(scene(values(`${version}\nproxyInit:\n  ignoreInboundPorts: ""\nglobal:\n  identityTrustDomain: cluster.local`))).status).toBe('pass');
    }
    const old = outside(scene(values('linkerdVersion: edge-21.2.1\nproxyInit:\n  ignoreInboundPorts: ""\nglobal:\n  identityTrustDomain: cluster.local')));
    expect(old.status).toBe('fail');
    expect(old.message).toContain('have no global.proxyInit (linkerdVersion edge-21.2.1: that release reads it under global)');
  });

  it('a 2.10+ release whose only proxyInit is under the stale global: absent, the reason saying the release reads it top-level', () => {
    const v = outside(scene(values('linkerdVersion: stable-2.10.0\nglobal:\n  proxyInit:\n    ignoreInboundPorts: ""')));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('the values in ConfigMap linkerd/linkerd-config have no proxyInit (linkerdVersion stable-2.10.0: that release reads it top-level, not under global)');
  });

  it('global.linkerdVersion stable-2.9.4 is the 2.9 layout; a version that names no release falls back to the ConfigMap\'s linkerd.io/created-by, else to the global mapping', () => {
    expect(skip(scene(global29('linkerdVersion: stable-2.9.4\nproxyInit:\n  ignoreInboundPorts: "3306"'))).evidence?.inbound).toMatchObject({ ports: ['3306'] });
    const devValues = values('linkerdVersion: dev-0a1b2c3d-someone\nproxyInit:\n  ignoreInboundPorts: ""\nglobal:\n  identityTrustDomain: cluster.local');
    // charts/linkerd2/templates/config.yaml annotates linkerd-config with partials.annotations.created-by (linkerd-release.test.ts).
    expect(outside(scene(devValues)).message).toContain('have no global.proxyInit (ConfigMap linkerd/linkerd-config annotation linkerd.io/created-by linkerd/helm stable-2.9.4: that release reads it under global)');
    const dev = outside(scene(devValues.replace(', annotations: {linkerd.io/created-by: linkerd/helm stable-2.9.4}', '')));
    expect(dev.message).toContain('have no global.proxyInit');
    expect(dev.message).not.toContain('that release');
  });
});
