// istiod's injector decides which pods its webhook is called for get a sidecar: injectRequired
// (istio/istio pkg/kube/inject/inject.go, HEAD 86c9f01f, lines 201-291): the pod's
// sidecar.istio.io/inject "true"/"false" decides; without one, a matching neverInjectSelector means
// no injection, then a matching alwaysInjectSelector means injection, then the policy (`enabled`
// injects, `disabled` does not; any other value injects nothing). Policy and selectors are the
// `config` key of ConfigMap istio-sidecar-injector (-<rev>), which istiod reads where it runs
// (pilot/pkg/bootstrap/sidecarinjector.go; manifests/charts/istio-control/istio-discovery/templates/istiod-injector-configmap.yaml
// writes `policy: {{ .Values.global.proxy.autoInject }}`, alwaysInjectSelector, neverInjectSelector).
import { describe, expect, it } from 'vitest';
import { mtlsChecks } from '../../../checks/mtls/index.ts';
import { meshModel, meshWorkloadModes } from '../../../src/analysis/mesh/index.ts';
import { istiodConfigMapRefs } from '../../../src/analysis/mesh/configmaps.ts';
import { istioInjectRequired } from '../../../src/analysis/mesh/istio-injector.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { meshFlowVerdict, meshVerdictOverConns } from '../../../src/analysis/mesh/flow-verdict.ts';
import { allConns } from '../../../src/analysis/netpol/conns.ts';
import { ctxOf, fails, run } from './helpers.ts';

const check = (id: string) => mtlsChecks.find((c) => c.id === id)!;

const injector = (config: string, { namespace = 'istio-system', name = 'istio-sidecar-injector' } = {}) => `
apiVersion: v1
kind: ConfigMap
metadata: {name: ${name}, namespace: ${namespace}}
data:
  config: |-
${config.split('\n').map((l) => `    ${l}`).join('\n')}
---`;

const meshWide = `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---`;

const web = (labels = 'app: web', nsLabels = 'istio-injection: enabled') => `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {${nsLabels}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {${labels}}}
    spec:
      containers: [{name: web, image: example/web:1, ports: [{containerPort: 8080}]}]
---`;

const outside = (yaml: string) => fails(run(check('mtls.workload-outside-mesh'), ctxOf(yaml))).map((v) => `${v.resource.namespace}/${v.resource.name}: ${v.message}`);
const modeOfWeb = (yaml: string) => { const ctx = ctxOf(yaml); return meshWorkloadModes(ctx.snapshot, ctx.config).find((d) => d.workload.name === 'web')?.mode; };

/** An istiod Deployment (pilot 1.28.0) in `namespace`, reading it from POD_NAMESPACE: a YAML document ending in `---`. */
const istiodIn = (namespace: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: istiod, namespace: ${namespace}}
spec:
  selector: {matchLabels: {app: istiod}}
  template:
    metadata: {labels: {app: istiod}}
    spec:
      containers:
      - name: discovery
        image: docker.io/istio/pilot:1.28.0
        env: [{name: POD_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}]
---`;

describe('Istio sidecar injector config (policy, neverInjectSelector, alwaysInjectSelector)', () => {
  it('policy disabled: a template in an istio-injection=enabled namespace without an inject label runs outside the mesh (workload-outside-mesh fails, naming the ConfigMap)', () => {
    const yaml = `${injector('defaultTemplates: [sidecar]\npolicy: disabled\nalwaysInjectSelector: []\nneverInjectSelector: []')}${meshWide}${web()}`;
    expect(outside(yaml)).toEqual([expect.stringContaining('shop/web: Deployment shop/web: 1 of 1 pod(s) run without a mesh proxy')]);
    expect(outside(yaml)[0]).toContain('namespace label istio-injection=enabled, but Istio\'s injector policy is disabled (ConfigMap istio-system/istio-sidecar-injector)');
    expect(modeOfWeb(yaml)).toBe('none');
    // The chart's default, policy enabled: injected, STRICT by the mesh-wide policy.
    expect(modeOfWeb(`${injector('policy: enabled')}${meshWide}${web()}`)).toBe('STRICT');
  });

  it('neverInjectSelector matching the pod\'s labels: not injected', () => {
    const yaml = `${injector('policy: enabled\nalwaysInjectSelector: []\nneverInjectSelector:\n- matchLabels: {app: web}')}${meshWide}${web()}`;
    expect(outside(yaml)).toEqual([expect.stringContaining('but the pod\'s labels match a neverInjectSelector of Istio\'s injector (ConfigMap istio-system/istio-sidecar-injector)')]);
    expect(modeOfWeb(yaml)).toBe('none');
    // matchExpressions count as well; a selector that does not match leaves it injected.
    expect(modeOfWeb(`${injector('policy: enabled\nneverInjectSelector:\n- matchExpressions: [{key: app, operator: In, values: [web]}]')}${meshWide}${web()}`)).toBe('none');
    expect(modeOfWeb(`${injector('policy: enabled\nneverInjectSelector:\n- matchLabels: {app: db}')}${meshWide}${web()}`)).toBe('STRICT');
  });

  it('in inject.go\'s order: the pod\'s "true" beats neverInjectSelector and the policy; never beats always; always beats policy disabled; an empty selector is skipped', () => {
    const labelled = (policy: string, extra = '') => `${injector(`policy: ${policy}${extra}`)}${meshWide}${web('app: web, sidecar.istio.io/inject: "true"')}`;
    expect(modeOfWeb(labelled('disabled'))).toBe('STRICT');
    expect(modeOfWeb(labelled('enabled', '\nneverInjectSelector: [{matchLabels: {app: web}}]'))).toBe('STRICT');
    expect(modeOfWeb(`${injector('policy: disabled\nalwaysInjectSelector: [{matchLabels: {app: web}}]')}${meshWide}${web()}`)).toBe('STRICT');
    expect(modeOfWeb(`${injector('policy: enabled\nalwaysInjectSelector: [{matchLabels: {app: web}}]\nneverInjectSelector: [{matchLabels: {app: web}}]')}${meshWide}${web()}`)).toBe('none');
    expect(modeOfWeb(`${injector('policy: enabled\nneverInjectSelector: [{}]')}${meshWide}${web()}`)).toBe('STRICT');
    const policy = { source: 'ConfigMap istio-system/istio-sidecar-injector', policy: 'disabled', neverInjectSelector: [], alwaysInjectSelector: [] };
    // Any other value of the label (or annotation) is no decision: the policy decides.
    expect(istioInjectRequired(policy, 'yes', {}).inject).toBe(false);
    expect(istioInjectRequired({ ...policy, policy: 'enabled' }, 'yes', {}).inject).toBe(true);
  });

  it('a policy neither enabled nor disabled (or none) injects nothing, "true" included', () => {
    expect(modeOfWeb(`${injector('policy: Enabled')}${meshWide}${web('app: web, sidecar.istio.io/inject: "true"')}`)).toBe('none');
    expect(outside(`${injector('neverInjectSelector: []')}${meshWide}${web()}`)).toEqual([expect.stringContaining('Istio\'s injector policy is "", neither enabled nor disabled (ConfigMap istio-system/istio-sidecar-injector): istiod injects no pod')]);
    // Keys match case-insensitively, as encoding/json reads them into inject.Config.
    expect(modeOfWeb(`${injector('Policy: disabled')}${meshWide}${web()}`)).toBe('none');
  });

  it('a running pod is judged by what runs: an istio-proxy container is in the mesh whatever the injector says', () => {
    const ctx = ctxOf(`${injector('policy: disabled')}${meshWide}
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop, labels: {app: web}}
spec:
  containers: [{name: web, image: example/web:1}, {name: istio-proxy, image: docker.io/istio/proxyv2:1.28.0}]
`);
    expect(meshModel(ctx.snapshot, ctx.config).workloads.map((w) => w.mesh)).toEqual(['istio']);
    expect(meshModel(ctx.snapshot, ctx.config).istio.injectorUnread).toBeUndefined();
  });

  it('the revision the namespace selects reads its own injector ConfigMap, istio-sidecar-injector-<rev>', () => {
    const canary = `
apiVersion: v1
kind: ConfigMap
metadata: {name: istio-canary, namespace: istio-system}
data: {mesh: "rootNamespace: istio-system"}
---${injector('policy: disabled', { name: 'istio-sidecar-injector-canary' })}${injector('policy: enabled')}${meshWide}`;
    expect(modeOfWeb(`${canary}${web('app: web', 'istio.io/rev: canary')}`)).toBe('none');
    expect(modeOfWeb(`${canary}${web()}`)).toBe('STRICT');
  });

  it('the injector ConfigMap where istiod runs is read, and the live collector asks for it there', () => {
    const istiod = istiodIn('istio-control');
    expect(modeOfWeb(`${istiod}${injector('policy: disabled', { namespace: 'istio-control' })}${meshWide}${web()}`)).toBe('none');
    expect(istiodConfigMapRefs(ctxOf(istiod).snapshot)).toEqual([{ namespace: 'istio-control', name: 'istio' }, { namespace: 'istio-control', name: 'istio-sidecar-injector' }]);
  });

  it('not in the input, refused or not loadable: today\'s verdict, and the coverage says the injector\'s policy was not read', () => {
    const absent = ctxOf(`${meshWide}${web()}`);
    expect(fails(run(check('mtls.workload-outside-mesh'), absent))).toEqual([]);
    const note = 'Istio\'s sidecar injector config was not read (no ConfigMap istio-sidecar-injector in istio-system in the input): the pod templates labelled for injection were judged by their labels alone, without its policy, neverInjectSelector and alwaysInjectSelector';
    for (const id of ['mtls.workload-outside-mesh', 'mtls.mesh-not-strict']) expect(runChecks([check(id)], absent)[0]!.excluded, id).toBe(note);
    const refused = ctxOf(`${meshWide}${web()}`);
    refused.snapshot.coverage.configmaps = { status: 'forbidden', detail: 'get configmaps istio-system/istio-sidecar-injector' };
    refused.snapshot.configMapsNotFound = ['istio-system/istio'];
    expect(meshModel(refused.snapshot, refused.config).istio.injectorUnread).toEqual(['ConfigMap istio-system/istio-sidecar-injector could not be read (forbidden)']);
    const broken = ctxOf(`${injector('policy: [disabled')}${meshWide}${web()}`);
    expect(modeOfWeb(`${injector('policy: [disabled')}${meshWide}${web()}`)).toBe('STRICT');
    expect(meshModel(broken.snapshot, broken.config).istio.injectorUnread).toEqual([expect.stringMatching(/^ConfigMap istio-system\/istio-sidecar-injector key config is not valid YAML/)]);
    // Nothing labelled for injection: nothing to say.
    expect(meshModel(ctxOf(`${meshWide}${web('app: web', 'team: a')}`).snapshot, absent.config).istio.injectorUnread).toBeUndefined();
  });
});

// The injection template writes the inbound capture from the pod's annotations, else from the
// install-wide values (manifests/charts/istio-control/istio-discovery/files/injection-template.yaml:
// traffic.sidecar.istio.io/includeInboundPorts and excludeInboundPorts `annotation .ObjectMeta …
// .Values.global.proxy.includeInboundPorts / excludeInboundPorts`, into istio-init's -b and -d),
// the `values` key of the same ConfigMap (istiod-injector-configmap.yaml: `$vals | toPrettyJson`).
describe('Istio injector values: install-wide inbound capture of templates', () => {
  const withValues = (proxy: Record<string, string>) => `
apiVersion: v1
kind: ConfigMap
metadata: {name: istio-sidecar-injector, namespace: istio-system}
data:
  config: "policy: enabled"
  values: '${JSON.stringify({ global: { proxy: { statusPort: 15020, ...proxy } }, revision: '' })}'
---`;
  const excluded = (yaml: string, workload = 'web') => run(check('mtls.istio-excluded-inbound-ports'), ctxOf(yaml)).find((v) => v.resource.name === workload)!;

  it('global.proxy.excludeInboundPorts keeps those ports of a template from Envoy when the pod sets no annotation', () => {
    const v = excluded(`${withValues({ includeInboundPorts: '*', excludeInboundPorts: '9090' })}${meshWide}${web()}`);
    expect(v).toMatchObject({ status: 'fail', evidence: { redirect: 'all-except', ports: [9090], source: 'ConfigMap istio-system/istio-sidecar-injector key values, global.proxy.excludeInboundPorts="9090" (no pod annotation traffic.sidecar.istio.io/excludeInboundPorts)' } });
    const ctx = ctxOf(`${withValues({ excludeInboundPorts: '9090' })}${meshWide}${web()}`);
    expect(meshWorkloadModes(ctx.snapshot, ctx.config).find((d) => d.workload.name === 'web')?.weakPorts).toEqual({ 9090: 'bypasses the sidecar' });
    // reach: a plaintext caller from outside the mesh gets in on 9090 under the STRICT mesh-wide policy, not on 8080.
    const web8080 = (port: number) => meshFlowVerdict(ctx.snapshot, ctx.config, 'external', { kind: 'Deployment', namespace: 'shop', name: 'web' }, port, 'TCP').verdict;
    expect([web8080(9090), web8080(8080)]).toEqual(['allowed', 'denied']);
    // The chart's defaults ("*", "") narrow nothing.
    expect(excluded(`${withValues({ includeInboundPorts: '*', excludeInboundPorts: '' })}${meshWide}${web()}`).status).toBe('pass');
  });

  it('global.proxy.includeInboundPorts redirects only those ports', () => {
    expect(excluded(`${withValues({ includeInboundPorts: '8080' })}${meshWide}${web()}`)).toMatchObject({ status: 'fail', evidence: { redirect: 'only', ports: [8080] } });
  });

  it('a pod annotation overrides the install-wide value, even an empty one', () => {
    const annotated = (value: string) => `${withValues({ excludeInboundPorts: '9090' })}${meshWide}${web().replace('metadata: {labels: {app: web}}', `metadata: {labels: {app: web}, annotations: {traffic.sidecar.istio.io/excludeInboundPorts: "${value}"}}`)}`;
    expect(excluded(annotated('')).status).toBe('pass');
    expect(excluded(annotated('7070'))).toMatchObject({ status: 'fail', evidence: { ports: [7070], source: 'pod annotation traffic.sidecar.istio.io/excludeInboundPorts="7070"' } });
  });

  it('not for a running pod, nor a template already carrying istio-proxy: their capture was written when they were injected', () => {
    const running = `${withValues({ excludeInboundPorts: '9090' })}${meshWide}
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop, labels: {app: web}}
spec:
  containers: [{name: web, image: example/web:1}, {name: istio-proxy, image: docker.io/istio/proxyv2:1.28.0}]
`;
    expect(excluded(running, 'web-1').status).toBe('pass');
    const manual = `${withValues({ excludeInboundPorts: '9090' })}${meshWide}${web().replace('containers: [{name: web, image: example/web:1, ports: [{containerPort: 8080}]}]', 'containers: [{name: web, image: example/web:1, ports: [{containerPort: 8080}]}, {name: istio-proxy, image: docker.io/istio/proxyv2:1.28.0}]')}`;
    expect(excluded(manual).status).toBe('pass');
  });

  // With the capture read as istio-iptables gets it (istio.ts captureSettings): the values stand in
  // for the -b/-d annotations only, each on its own (`annotation .ObjectMeta … .Values.global.proxy.…`
  // per flag); interception mode NONE renders no istio-init and excludeInterfaces (-c) returns
  // before any port rule, so both still decide first; a running pod's istio-init arguments are
  // what the injector rendered, values included.
  const annotatedWeb = (annotations: Record<string, string>) => web().replace('metadata: {labels: {app: web}}', `metadata: {labels: {app: web}, annotations: ${JSON.stringify(annotations)}}`);

  it('each inbound-ports annotation the template leaves unset takes its value: includeInboundPorts "*" on the pod, excludeInboundPorts from the ConfigMap', () => {
    const v = excluded(`${withValues({ includeInboundPorts: '8080', excludeInboundPorts: '9090' })}${meshWide}${annotatedWeb({ 'traffic.sidecar.istio.io/includeInboundPorts': '*' })}`);
    expect(v).toMatchObject({ status: 'fail', evidence: { redirect: 'all-except', ports: [9090], source: 'ConfigMap istio-system/istio-sidecar-injector key values, global.proxy.excludeInboundPorts="9090" (no pod annotation traffic.sidecar.istio.io/excludeInboundPorts)' } });
  });

  it('interception mode NONE and excludeInterfaces on the template decide before the install-wide ports', () => {
    const none = excluded(`${withValues({ includeInboundPorts: '*', excludeInboundPorts: '9090' })}${meshWide}${annotatedWeb({ 'sidecar.istio.io/interceptionMode': 'NONE' })}`);
    expect(none).toMatchObject({ status: 'fail', evidence: { redirect: 'none', source: 'pod annotation sidecar.istio.io/interceptionMode="NONE": no iptables interception' } });
    const iface = excluded(`${withValues({ includeInboundPorts: '8080' })}${meshWide}${annotatedWeb({ 'traffic.sidecar.istio.io/excludeInterfaces': 'eth0' })}`);
    expect(iface).toMatchObject({ status: 'fail', evidence: { redirect: 'none', interfaces: ['eth0'], source: 'pod annotation traffic.sidecar.istio.io/excludeInterfaces="eth0"' } });
  });

  it('the authorization checks and reach over every port see a template\'s install-wide excluded port', () => {
    const ctx = ctxOf(`${withValues({ excludeInboundPorts: '9090' })}${meshWide}${web()}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-all, namespace: shop}
spec: {}
`);
    const authz = run(check('mtls.authz-missing'), ctx).find((v) => v.resource.name === 'web')!;
    expect(authz.status).toBe('fail');
    expect(authz.message).toContain('port 9090 bypasses its sidecar (ConfigMap istio-system/istio-sidecar-injector key values, global.proxy.excludeInboundPorts="9090"');
    expect(meshVerdictOverConns(ctx.snapshot, ctx.config, 'external', { kind: 'Deployment', namespace: 'shop', name: 'web' }, allConns())?.open.TCP).toEqual([[9090, 9090]]);
  });

  it('a running pod with istio-init is judged by its arguments, whatever the injector\'s values say now', () => {
    const pod = (args: string) => `${withValues({ excludeInboundPorts: '9090' })}${meshWide}
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop, labels: {app: web}}
spec:
  initContainers: [{name: istio-init, image: docker.io/istio/proxyv2:1.28.0, args: ${args}}]
  containers: [{name: web, image: example/web:1, ports: [{containerPort: 8080}]}, {name: istio-proxy, image: docker.io/istio/proxyv2:1.28.0}]
`;
    expect(excluded(pod('[istio-iptables, -p, "15001", -b, "*", -d, "15090,15021,15020,7070"]'), 'web-1')).toMatchObject({ status: 'fail', evidence: { ports: [7070], source: 'istio-init argument -d "15090,15021,15020,7070"' } });
    expect(excluded(pod('[istio-iptables, -p, "15001", -b, "*", -d, "15090,15021,15020"]'), 'web-1').status).toBe('pass');
  });
});

// The outbound capture the injection template writes (istio/istio 1.30.3
// manifests/charts/istio-control/istio-discovery/files/injection-template.yaml): istio-init's
// `-i`/`-x` from `annotation .ObjectMeta "traffic.sidecar.istio.io/includeOutboundIPRanges"
// .Values.global.proxy.includeIPRanges` (and excludeOutboundIPRanges / excludeIPRanges), lines
// 102-105; `-q`/`-o` from includeOutboundPorts / excludeOutboundPorts when the annotation is set or
// the value is not empty, lines 114-121; under Istio CNI the same as annotations, the IP ranges
// only when not empty (`with`, lines 55-56), so an empty includeIPRanges leaves istio-cni's default
// "*" (cni/pkg/plugin/sidecar_redirect.go defaultRedirectIPCidr). getAnnotation
// (pkg/kube/inject/template.go): the pod's annotation when present, even empty, else the value.
describe('Istio injector values: install-wide outbound capture of templates', () => {
  const values = (proxy: Record<string, string>, cni = false) => `
apiVersion: v1
kind: ConfigMap
metadata: {name: istio-sidecar-injector, namespace: istio-system}
data:
  config: "policy: enabled"
  values: '${JSON.stringify({ global: { proxy: { includeIPRanges: '*', excludeIPRanges: '', includeOutboundPorts: '', excludeOutboundPorts: '', ...proxy } }, pilot: { cni: { enabled: cni } }, revision: '' })}'
---`;
  // web calls db on 5432; db is STRICT (mesh-wide) and behind a Service, so only an mTLS call from web's sidecar gets in.
  const scene = (webAnnotations: Record<string, string> = {}) => `${meshWide}${web().replace('metadata: {labels: {app: web}}', `metadata: {labels: {app: web}, annotations: ${JSON.stringify(webAnnotations)}}`)}
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: example/db:1, ports: [{containerPort: 5432}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec: {selector: {app: db}, ports: [{name: tcp-pg, port: 5432}]}
---`;
  const call = (yaml: string) => {
    const ctx = ctxOf(yaml);
    return meshFlowVerdict(ctx.snapshot, ctx.config, { kind: 'Deployment', namespace: 'shop', name: 'web' }, { kind: 'Deployment', namespace: 'shop', name: 'db' }, 5432, 'TCP');
  };

  it('global.proxy.excludeOutboundPorts sends that port of a template around its sidecar: a STRICT callee refuses the plaintext call (was: allowed as mTLS)', () => {
    const v = call(`${values({ excludeOutboundPorts: '5432' })}${scene()}`);
    expect(v).toMatchObject({ verdict: 'denied', plaintext: true });
    expect(v.reason).toContain('shop/web sends port 5432 around its own istio proxy (ConfigMap istio-system/istio-sidecar-injector key values, global.proxy.excludeOutboundPorts="5432" (no pod annotation traffic.sidecar.istio.io/excludeOutboundPorts))');
    // The chart's defaults narrow nothing; another port changes nothing.
    expect(call(`${values({})}${scene()}`)).toMatchObject({ verdict: 'allowed', plaintext: false });
    expect(call(`${values({ excludeOutboundPorts: '3306' })}${scene()}`)).toMatchObject({ verdict: 'allowed', plaintext: false });
    // A pod annotation overrides the value, even an empty one.
    expect(call(`${values({ excludeOutboundPorts: '5432' })}${scene({ 'traffic.sidecar.istio.io/excludeOutboundPorts': '' })}`)).toMatchObject({ verdict: 'allowed', plaintext: false });
  });

  it('global.proxy.includeIPRanges "" captures no address (istio-init -i ""), only includeOutboundPorts; under Istio CNI it is not written and istio-cni captures every address', () => {
    const v = call(`${values({ includeIPRanges: '' })}${scene()}`);
    expect(v).toMatchObject({ verdict: 'denied', plaintext: true });
    expect(v.reason).toContain('global.proxy.includeIPRanges="" (no pod annotation traffic.sidecar.istio.io/includeOutboundIPRanges)');
    expect(call(`${values({ includeIPRanges: '', includeOutboundPorts: '5432' })}${scene()}`)).toMatchObject({ verdict: 'allowed', plaintext: false });
    expect(call(`${values({ includeIPRanges: '' }, true)}${scene()}`)).toMatchObject({ verdict: 'allowed', plaintext: false });
    expect(call(`${values({ includeIPRanges: '' })}${scene({ 'traffic.sidecar.istio.io/includeOutboundIPRanges': '*' })}`)).toMatchObject({ verdict: 'allowed', plaintext: false });
  });

  it('mtls.outbound-allow-any: REGISTRY_ONLY is not enforced where the install-wide excludeIPRanges lets public addresses leave around the sidecar, naming the ConfigMap', () => {
    const registryOnly = `
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    outboundTrafficPolicy:
      mode: REGISTRY_ONLY
---`;
    const judge = (yaml: string) => run(check('mtls.outbound-allow-any'), ctxOf(`${registryOnly}${yaml}${meshWide}${web()}`)).find((v) => v.resource.name === 'shop')!;
    const v = judge(values({ excludeIPRanges: '0.0.0.0/0' }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('Deployment shop/web: every public IPv4 address (ConfigMap istio-system/istio-sidecar-injector key values, global.proxy.excludeIPRanges="0.0.0.0/0" (no pod annotation traffic.sidecar.istio.io/excludeOutboundIPRanges))');
    expect(judge(values({ excludeIPRanges: '10.0.0.0/8' })).status).toBe('pass');
  });

  it('a template is judged by the values, a running pod by its istio-init arguments, which are what the injector rendered whatever the values say now', () => {
    const running = `${values({ excludeOutboundPorts: '5432', includeIPRanges: '' })}${scene()}
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop, labels: {app: web}}
spec:
  initContainers: [{name: istio-init, image: docker.io/istio/proxyv2:1.28.0, args: [istio-iptables, -i, "*", -x, "", -b, "*", -d, "15090,15021,15020"]}]
  containers: [{name: web, image: example/web:1}, {name: istio-proxy, image: docker.io/istio/proxyv2:1.28.0}]
---`;
    const ctx = ctxOf(running);
    const db = { kind: 'Deployment', namespace: 'shop', name: 'db' };
    expect(meshFlowVerdict(ctx.snapshot, ctx.config, { kind: 'Pod', namespace: 'shop', name: 'web-1' }, db, 5432, 'TCP')).toMatchObject({ verdict: 'allowed', plaintext: false });
    expect(meshFlowVerdict(ctx.snapshot, ctx.config, { kind: 'Deployment', namespace: 'shop', name: 'web' }, db, 5432, 'TCP')).toMatchObject({ verdict: 'denied', plaintext: true });
  });
});

// Missing data is not a fix: a template's capture depends on its revision's injector values and
// mesh config where its annotations set none, so with ConfigMaps refused and one of those unread
// (not answered 404), a check judging the capture is not evaluated, naming the ConfigMap, rather
// than passing the template as captured (checks/mtls/lib/istio-mesh-config.ts ISTIO_TEMPLATE_CAPTURE_READ).
// The collector asks for the injector ConfigMap beside each istiod (istiodConfigMapRefs).
describe('the injector values and mesh config a template takes, unread', () => {
  const istiod = istiodIn('istio-system');
  const injectorValues = `${istiod}
apiVersion: v1
kind: ConfigMap
metadata: {name: istio-sidecar-injector, namespace: istio-system}
data:
  config: "policy: enabled"
  values: '{"global": {"proxy": {"excludeInboundPorts": "9090"}}}'
---
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data: {mesh: "rootNamespace: istio-system"}
---`;
  const outcome = (yaml: string, refused: boolean) => {
    const ctx = ctxOf(yaml);
    if (refused) ctx.snapshot.coverage.configmaps = { status: 'forbidden', detail: 'get configmaps (denied for other/unrelated)' };
    const [o] = runChecks([check('mtls.istio-excluded-inbound-ports')], ctx);
    return o;
  };

  it('mtls.istio-excluded-inbound-ports: the injector ConfigMap missing while a read was refused is not evaluated, naming it; read, it is judged as with every read', () => {
    const unread = outcome(`${injectorValues.replace('name: istio-sidecar-injector,', 'name: other,')}${meshWide}${web()}`, true);
    expect(unread).toMatchObject({ status: 'not-evaluated', unreadable: ['configmaps'] });
    expect(unread.reason).toContain('ConfigMap istio-system/istio-sidecar-injector: global.proxy capture values, defaultConfig.interceptionMode');
    const read = outcome(`${injectorValues}${meshWide}${web()}`, true);
    expect(read).toMatchObject({ status: 'fail', results: [expect.objectContaining({ message: expect.stringContaining('global.proxy.excludeInboundPorts="9090"') })] });
    expect(read).toEqual(outcome(`${injectorValues}${meshWide}${web()}`, false));
    // Not refused, and not there: Istio's defaults, judged; nor when no istiod says where the collector would ask for it.
    expect(outcome(`${meshWide}${web()}`, false).status).toBe('pass');
    expect(outcome(`${injectorValues.replace(istiod, '').replace('name: istio-sidecar-injector,', 'name: other,')}${meshWide}${web()}`, true).status).toBe('pass');
  });
});
