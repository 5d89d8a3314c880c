// How Istio captures a pod's traffic beyond the traffic.sidecar.istio.io port annotations: a
// pod whose traffic never reaches its proxy accepts (and sends) plaintext whatever STRICT says.
// - Interception mode NONE: pilot/pkg/model/context.go InterceptionNone "indicates that the
//   workload is not using IPtables for traffic interception"; the injection template renders no
//   istio-init for it (manifests/charts/istio-control/istio-discovery/files/injection-template.yaml
//   `$noInitContainer`) and writes the mode into istio-proxy's env ISTIO_META_INTERCEPTION_MODE.
// - traffic.sidecar.istio.io/excludeInterfaces: istio-iptables `-c` (injection-template.yaml),
//   "Neither inbound nor outbound traffic will be captured" on those NICs
//   (tools/istio-iptables/pkg/cmd/root.go; pkg/capture/run.go shortCircuitExcludeInterfaces:
//   PREROUTING -i <iface> -j RETURN and OUTPUT -o <iface> -j RETURN before any capture rule).
// - istio-init's arguments: what istio-iptables set up on a running pod (injection-template.yaml
//   renders -b/-d from the annotations or the install's global.proxy values, and writes those
//   values as annotations only under Istio CNI); the flags as tools/istio-iptables/pkg/cmd/root.go binds them.
// - ambient.istio.io/bypass-inbound-capture (Istio 1.24.0 change notes: ztunnel then captures
//   outbound traffic only): istio-cni reads it with strconv.ParseBool (cni/pkg/nodeagent/net.go)
//   and leaves out the inbound redirect (cni/pkg/iptables/iptables.go, IngressMode).
import { describe, expect, it } from 'vitest';
import { meshWorkloadModes } from '../../../src/analysis/mesh/index.ts';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import { authzAllowAny } from '../../../checks/mtls/authz-allow-any.ts';
import { authzMissing } from '../../../checks/mtls/authz-missing.ts';
import { istioExcludedInboundPorts } from '../../../checks/mtls/istio-excluded-inbound-ports.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { ctxOf, deployment, serviceYaml } from './helpers.ts';

const STRICT_MESH = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
`;
const web = { kind: 'Deployment', namespace: 'shop', name: 'web' };
const api = { kind: 'Deployment', namespace: 'shop', name: 'api' };

/** A running, injected Pod shop/<name>: istio-proxy beside the app, istio-init only when given. */
function injectedPod(name: string, o: { annotations?: Record<string, string>; proxyEnv?: Record<string, string>; initArgs?: string[] } = {}): KubeObject {
  const proxy = { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.28.0', args: ['proxy', 'sidecar'], env: Object.entries(o.proxyEnv ?? {}).map(([n, value]) => ({ name: n, value })) };
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'shop', labels: { app: name }, annotations: { 'sidecar.istio.io/status': '{"containers":["istio-proxy"]}', ...o.annotations } },
    spec: {
      initContainers: o.initArgs ? [{ name: 'istio-init', image: 'docker.io/istio/proxyv2:1.28.0', args: o.initArgs }] : [],
      containers: [{ name: 'app', image: 'example/app:1', ports: [{ containerPort: 8080 }] }, proxy],
    },
  } as KubeObject;
}

const statuses = (ctx: ReturnType<typeof ctxOf>) => Object.fromEntries([...istioExcludedInboundPorts.evaluate(ctx)].map((v) => [v.resource.name, v.status]));

describe('Istio interception mode NONE: the sidecar captures nothing', () => {
  it('the pod annotation on a template: every inbound port takes plaintext under STRICT, and the check fails naming it', () => {
    const ctx = ctxOf(STRICT_MESH, undefined, [
      deployment('shop', 'web', { annotations: { 'sidecar.istio.io/interceptionMode': 'NONE' } }),
      deployment('shop', 'redirect', { annotations: { 'sidecar.istio.io/interceptionMode': 'REDIRECT' } }),
    ]);
    expect(statuses(ctx)).toEqual({ web: 'fail', redirect: 'pass' });
    const failed = [...istioExcludedInboundPorts.evaluate(ctx)].find((v) => v.resource.name === 'web')!;
    expect(failed.message).toMatch(/no inbound port is redirected to Envoy \(pod annotation sidecar\.istio\.io\/interceptionMode="NONE": no iptables interception\): traffic there is accepted in plaintext/);
    expect(meshFlowVerdict(ctx.snapshot, ctx.config, 'external', web, 8080, 'TCP')).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(meshWorkloadModes(ctx.snapshot, ctx.config).find((m) => m.workload.name === 'web')).toMatchObject({ mode: 'STRICT', posture: 'plaintext' });
  });

  it('outbound too: a NONE caller reaches a STRICT callee in plaintext, which refuses it', () => {
    const ctx = ctxOf(`${STRICT_MESH}---${serviceYaml('shop', 'api')}`, undefined, [
      deployment('shop', 'web', { annotations: { 'sidecar.istio.io/interceptionMode': 'NONE' } }),
      deployment('shop', 'front'),
      deployment('shop', 'api', { ports: [8000] }),
    ]);
    const v = meshFlowVerdict(ctx.snapshot, ctx.config, web, api, 8000, 'TCP');
    expect(v).toMatchObject({ verdict: 'denied', plaintext: true });
    expect(v.reason).toMatch(/interceptionMode="NONE"/);
    expect(meshFlowVerdict(ctx.snapshot, ctx.config, { ...web, name: 'front' }, api, 8000, 'TCP').verdict).toBe('allowed');
  });

  it('a running pod: no annotation, but istio-proxy rendered with ISTIO_META_INTERCEPTION_MODE=NONE and no istio-init', () => {
    const ctx = ctxOf(STRICT_MESH, undefined, [
      injectedPod('web', { proxyEnv: { ISTIO_META_INTERCEPTION_MODE: 'NONE' } }),
      injectedPod('api', { proxyEnv: { ISTIO_META_INTERCEPTION_MODE: 'REDIRECT' }, initArgs: ['istio-iptables', '-b', '*', '-d', '15090,15021,15020'] }),
    ]);
    expect(statuses(ctx)).toEqual({ web: 'fail', api: 'pass' });
    expect(meshWorkloadModes(ctx.snapshot, ctx.config).find((m) => m.workload.name === 'web')).toMatchObject({ mode: 'STRICT', posture: 'plaintext' });
  });
});

// A template's interception mode when it sets no sidecar.istio.io/interceptionMode: the proxy config
// the webhook computes for it (istio/istio 1.30.3 pkg/kube/inject/webhook.go GetProxyConfigOrDefault
// → pilot/pkg/model/proxy_config.go EffectiveProxyConfig): its proxy.istio.io/config annotation over
// the mesh config's defaultConfig (ConfigMap istio, key mesh) over REDIRECT. A ProxyConfig resource
// has no interceptionMode field (istio/api networking/v1beta1/proxy_config.proto; toMeshConfigProxyConfig
// copies concurrency, environmentVariables and image). The annotation's REDIRECT is the enum's zero
// value (mesh/v1alpha1/proxy.proto), which mergeWithPrecedence's protomarshal.ToYAML leaves out, so
// it overrides nothing; injection-template.yaml line 75 compares the result with "NONE".
describe('Istio interception mode of a template from its proxy config: proxy.istio.io/config, then meshConfig.defaultConfig', () => {
  const meshNone = (mode = 'NONE') => `
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    defaultConfig:
      interceptionMode: ${mode}
---`;

  it('meshConfig.defaultConfig.interceptionMode NONE: a template without an annotation captures nothing (was: captured), the check and reach name the ConfigMap', () => {
    const ctx = ctxOf(`${meshNone()}${STRICT_MESH}---${serviceYaml('shop', 'api')}`, undefined, [
      deployment('shop', 'web'),
      deployment('shop', 'redirect', { annotations: { 'sidecar.istio.io/interceptionMode': 'REDIRECT' } }),
      deployment('shop', 'api', { ports: [8000], annotations: { 'sidecar.istio.io/interceptionMode': 'REDIRECT' } }),
    ]);
    expect(statuses(ctx)).toEqual({ web: 'fail', redirect: 'pass', api: 'pass' });
    const failed = [...istioExcludedInboundPorts.evaluate(ctx)].find((v) => v.resource.name === 'web')!;
    expect(failed.message).toContain('no inbound port is redirected to Envoy (ConfigMap istio-system/istio mesh.defaultConfig.interceptionMode="NONE" (no pod annotation sidecar.istio.io/interceptionMode): no iptables interception)');
    expect(meshFlowVerdict(ctx.snapshot, ctx.config, 'external', web, 8080, 'TCP')).toMatchObject({ verdict: 'allowed', plaintext: true });
    // Outbound too: web's call to the STRICT api leaves around its sidecar.
    expect(meshFlowVerdict(ctx.snapshot, ctx.config, web, api, 8000, 'TCP')).toMatchObject({ verdict: 'denied', plaintext: true });
    expect(meshFlowVerdict(ctx.snapshot, ctx.config, { ...web, name: 'redirect' }, api, 8000, 'TCP')).toMatchObject({ verdict: 'allowed', plaintext: false });
    // TPROXY or REDIRECT in the mesh config capture the same ports.
    expect(statuses(ctxOf(`${meshNone('TPROXY')}${STRICT_MESH}`, undefined, [deployment('shop', 'web')]))).toEqual({ web: 'pass' });
    // A running pod is judged by what the injector rendered (istio-proxy's env), not by today's mesh config.
    expect(statuses(ctxOf(`${meshNone()}${STRICT_MESH}`, undefined, [
      injectedPod('web', { proxyEnv: { ISTIO_META_INTERCEPTION_MODE: 'REDIRECT' }, initArgs: ['istio-iptables', '-b', '*', '-d', '15090,15021,15020'] }),
    ]))).toEqual({ web: 'pass' });
  });

  it('proxy.istio.io/config interceptionMode NONE (by name or number, JSON or proto field name) captures nothing; its REDIRECT does not override the mesh\'s NONE, its TPROXY does', () => {
    const PC = 'proxy.istio.io/config';
    const ctx = ctxOf(STRICT_MESH, undefined, [
      deployment('shop', 'web', { annotations: { [PC]: 'interceptionMode: NONE' } }),
      deployment('shop', 'number', { annotations: { [PC]: '{"interception_mode": 2}' } }),
      deployment('shop', 'tproxy', { annotations: { [PC]: 'interceptionMode: TPROXY' } }),
      deployment('shop', 'broken', { annotations: { [PC]: 'interceptionMode: [NONE' } }),
    ]);
    expect(statuses(ctx)).toEqual({ web: 'fail', number: 'fail', tproxy: 'pass', broken: 'pass' });
    expect([...istioExcludedInboundPorts.evaluate(ctx)].find((v) => v.resource.name === 'web')!.message).toContain('(pod annotation proxy.istio.io/config interceptionMode "NONE": no iptables interception)');
    const withMesh = ctxOf(`${meshNone()}${STRICT_MESH}`, undefined, [
      deployment('shop', 'redirect', { annotations: { [PC]: 'interceptionMode: REDIRECT' } }),
      deployment('shop', 'tproxy', { annotations: { [PC]: 'interceptionMode: TPROXY' } }),
    ]);
    expect(statuses(withMesh)).toEqual({ redirect: 'fail', tproxy: 'pass' });
    expect([...istioExcludedInboundPorts.evaluate(withMesh)].find((v) => v.resource.name === 'redirect')!.message).toContain('interceptionMode="NONE" (no pod annotation sidecar.istio.io/interceptionMode; proxy.istio.io/config\'s interceptionMode REDIRECT, Istio\'s zero value, overrides nothing)');
  });
});

describe('Istio excludeInterfaces: traffic through a named interface skips the sidecar', () => {
  const EXCLUDE_IF = 'traffic.sidecar.istio.io/excludeInterfaces';

  it('eth0: every inbound port takes plaintext under STRICT; the check names the interface, written as cluster text', () => {
    const ctx = ctxOf(STRICT_MESH, undefined, [
      deployment('shop', 'web', { annotations: { [EXCLUDE_IF]: 'eth0' } }),
      deployment('shop', 'multus', { annotations: { [EXCLUDE_IF]: 'net1,"\n<b>' } }),
      deployment('shop', 'empty', { annotations: { [EXCLUDE_IF]: ' , ' } }),
    ]);
    expect(statuses(ctx)).toEqual({ web: 'fail', multus: 'fail', empty: 'pass' });
    const v = [...istioExcludedInboundPorts.evaluate(ctx)];
    const failed = v.find((x) => x.resource.name === 'web')!;
    expect(failed.message).toMatch(/every inbound connection through interface "eth0" bypasses Envoy, on any port \(pod annotation traffic\.sidecar\.istio\.io\/excludeInterfaces="eth0"\): traffic there is accepted in plaintext/);
    expect(failed.evidence).toMatchObject({ redirect: 'none', interfaces: ['eth0'] });
    const multus = v.find((x) => x.resource.name === 'multus')!;
    expect(multus.message).toContain('through interfaces "net1", "\\"\\n<b>" bypasses Envoy');
    expect(multus.message).not.toContain('\n');
    expect(meshFlowVerdict(ctx.snapshot, ctx.config, 'external', web, 8080, 'TCP')).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(meshWorkloadModes(ctx.snapshot, ctx.config).find((m) => m.workload.name === 'web')).toMatchObject({ mode: 'STRICT', posture: 'plaintext' });
  });

  it('eth0 outbound: the caller reaches a STRICT callee in plaintext; another interface leaves its outbound calls judged as captured', () => {
    const ctx = ctxOf(`${STRICT_MESH}---${serviceYaml('shop', 'api')}`, undefined, [
      deployment('shop', 'web', { annotations: { [EXCLUDE_IF]: 'eth0' } }),
      deployment('shop', 'multus', { annotations: { [EXCLUDE_IF]: 'net1' } }),
      deployment('shop', 'api', { ports: [8000] }),
    ]);
    const v = meshFlowVerdict(ctx.snapshot, ctx.config, web, api, 8000, 'TCP');
    expect(v).toMatchObject({ verdict: 'denied', plaintext: true });
    expect(v.reason).toContain('excludeInterfaces');
    expect(meshFlowVerdict(ctx.snapshot, ctx.config, { ...web, name: 'multus' }, api, 8000, 'TCP').verdict).toBe('allowed');
  });
});

describe('istio-init arguments: what iptables got on a running pod', () => {
  const pod = { kind: 'Pod', namespace: 'shop', name: 'web' };
  const INIT = (...extra: string[]) => ['istio-iptables', '-p', '15001', '-z', '15006', '-u', '1337', '-m', 'REDIRECT', '-i', '*', '-x', '', '-b', '*', ...extra, '--log_output_level=default:info'];

  it('an install-wide excluded port in -d (no annotation, as without CNI) bypasses the sidecar; the proxy\'s own ports do not', () => {
    const ctx = ctxOf(STRICT_MESH, undefined, [
      injectedPod('web', { initArgs: INIT('-d', '15090,15021,15020,8080') }),
      injectedPod('api', { initArgs: INIT('-d', '15090,15021,15020') }),
    ]);
    expect(statuses(ctx)).toEqual({ web: 'fail', api: 'pass' });
    const failed = [...istioExcludedInboundPorts.evaluate(ctx)].find((v) => v.resource.name === 'web')!;
    expect(failed).toMatchObject({ evidence: { redirect: 'all-except', ports: [8080], source: 'istio-init argument -d "15090,15021,15020,8080"' } });
    const v = meshFlowVerdict(ctx.snapshot, ctx.config, 'external', pod, 8080, 'TCP');
    expect(v).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(v.reason).toContain('istio-init argument -d "15090,15021,15020,8080"');
    expect(meshWorkloadModes(ctx.snapshot, ctx.config).find((m) => m.workload.name === 'web')?.weakPorts).toEqual({ 8080: 'bypasses the sidecar' });
  });

  it('the arguments win over the annotations, in every pflag form; -b empty or absent captures no inbound port', () => {
    const ctx = ctxOf(STRICT_MESH, undefined, [
      // The annotation asks for 8080 to be excluded, but iptables got no such rule.
      injectedPod('web', { annotations: { 'traffic.sidecar.istio.io/excludeInboundPorts': '8080' }, initArgs: INIT('-d', '15090,15021,15020') }),
      injectedPod('long', { initArgs: INIT('--istio-local-exclude-ports=15090,15021,15020,9000') }),
      injectedPod('glued', { initArgs: INIT('-d9000') }),
      injectedPod('last', { initArgs: INIT('-d', '9000', '-d', '15020') }),
      injectedPod('empty', { annotations: { 'traffic.sidecar.istio.io/includeInboundPorts': '*' }, initArgs: ['istio-iptables', '-b', '', '-d', '15020'] }),
      injectedPod('absent', { initArgs: ['istio-iptables', '-p', '15001'] }),
      injectedPod('noexclude', { initArgs: ['istio-iptables', '-b', '*'] }),
    ]);
    expect(statuses(ctx)).toEqual({ web: 'pass', long: 'fail', glued: 'fail', last: 'pass', empty: 'fail', absent: 'fail', noexclude: 'pass' });
    const v = Object.fromEntries([...istioExcludedInboundPorts.evaluate(ctx)].map((x) => [x.resource.name, x]));
    expect(v.long.evidence).toMatchObject({ ports: [9000] });
    expect(v.glued.evidence).toMatchObject({ ports: [9000] });
    expect(v.empty.message).toContain('no inbound port is redirected to Envoy (istio-init argument -b "")');
    expect(v.absent.message).toContain('(istio-init argument no -b (empty))');
  });

  it('a flag istio-init was not given takes its env variable (ISTIO_LOCAL_EXCLUDE_PORTS)', () => {
    const withEnv = injectedPod('web', { initArgs: ['istio-iptables', '-b', '*'] });
    (withEnv.spec as { initContainers: Array<Record<string, unknown>> }).initContainers[0].env = [{ name: 'ISTIO_LOCAL_EXCLUDE_PORTS', value: '15020,7000' }];
    const ctx = ctxOf(STRICT_MESH, undefined, [withEnv]);
    const [v] = [...istioExcludedInboundPorts.evaluate(ctx)];
    expect(v).toMatchObject({ status: 'fail', evidence: { ports: [7000], source: 'istio-init argument env ISTIO_LOCAL_EXCLUDE_PORTS="15020,7000"' } });
  });

  it('outbound: a port in -o leaves around the caller\'s sidecar, so a STRICT callee refuses the plaintext call', () => {
    const ctx = ctxOf(`${STRICT_MESH}---${serviceYaml('shop', 'api')}`, undefined, [
      injectedPod('web', { initArgs: INIT('-d', '15090,15021,15020', '-o', '8000') }),
      injectedPod('front', { initArgs: INIT('-d', '15090,15021,15020') }),
      deployment('shop', 'api', { ports: [8000] }),
    ]);
    const v = meshFlowVerdict(ctx.snapshot, ctx.config, pod, api, 8000, 'TCP');
    expect(v).toMatchObject({ verdict: 'denied', plaintext: true });
    expect(v.reason).toContain('istio-init argument -o "8000"');
    expect(meshFlowVerdict(ctx.snapshot, ctx.config, { ...pod, name: 'front' }, api, 8000, 'TCP').verdict).toBe('allowed');
  });
});

// istio-iptables applies no rule at all with --skip-rule-apply (tools/istio-iptables/pkg/cmd/root.go
// ProgramIptables `if !cfg.SkipRuleApply`, and istio-nftables/pkg/nft/program.go alike) or with
// --dry-run / -n (a DependenciesStub that calls no iptables), except on the --native-nftables path,
// which does not read dry-run (istio/istio 1.30.3). Each is a pflag boolean bound to its env variable
// (pkg/flag BindEnv: SKIP_RULE_APPLY, DRY_RUN, NATIVE_NFTABLES, set first, the flag overriding it).
// Istio CNI leaves a pod with istio-init alone (cni/pkg/plugin/plugin.go), so nothing captures it.
describe('istio-init that applied no rules: --skip-rule-apply, --dry-run', () => {
  const pod = { kind: 'Pod', namespace: 'shop', name: 'web' };
  const INIT = (...extra: string[]) => ['istio-iptables', '-p', '15001', '-z', '15006', '-u', '1337', '-m', 'REDIRECT', '-i', '*', '-x', '', '-b', '*', '-d', '15090,15021,15020', ...extra];
  const withEnv = (name: string, args: string[], env: Record<string, string>) => {
    const p = injectedPod(name, { initArgs: args });
    (p.spec as { initContainers: Array<Record<string, unknown>> }).initContainers[0].env = Object.entries(env).map(([n, value]) => ({ name: n, value }));
    return p;
  };

  it('--skip-rule-apply: every inbound port takes plaintext under STRICT and every outbound call leaves around the sidecar (was: read as applied)', () => {
    const ctx = ctxOf(`${STRICT_MESH}---${serviceYaml('shop', 'api')}`, undefined, [
      injectedPod('web', { initArgs: INIT('--skip-rule-apply') }),
      injectedPod('front', { initArgs: INIT() }),
      deployment('shop', 'api', { ports: [8000] }),
    ]);
    expect(statuses(ctx)).toEqual({ web: 'fail', front: 'pass', api: 'pass' });
    const failed = [...istioExcludedInboundPorts.evaluate(ctx)].find((v) => v.resource.name === 'web')!;
    expect(failed.message).toContain('no inbound port is redirected to Envoy (istio-init argument --skip-rule-apply: istio-iptables applied no rules)');
    expect(meshFlowVerdict(ctx.snapshot, ctx.config, 'external', pod, 8080, 'TCP')).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(meshWorkloadModes(ctx.snapshot, ctx.config).find((m) => m.workload.name === 'web')).toMatchObject({ mode: 'STRICT', posture: 'plaintext' });
    const out = meshFlowVerdict(ctx.snapshot, ctx.config, pod, api, 8000, 'TCP');
    expect(out).toMatchObject({ verdict: 'denied', plaintext: true });
    expect(out.reason).toContain('istio-init argument --skip-rule-apply: istio-iptables applied no rules');
    expect(meshFlowVerdict(ctx.snapshot, ctx.config, { ...pod, name: 'front' }, api, 8000, 'TCP').verdict).toBe('allowed');
    // The istio-validation container the template renders under Istio CNI (--run-validation
    // --skip-rule-apply, injection-template.yaml lines 137-139) changes nothing: istio-cni applies the rules.
    const cni = injectedPod('web', { annotations: { 'traffic.sidecar.istio.io/includeInboundPorts': '*', 'traffic.sidecar.istio.io/excludeInboundPorts': '15020' } });
    (cni.spec as { initContainers: Array<Record<string, unknown>> }).initContainers = [{ name: 'istio-validation', image: 'docker.io/istio/proxyv2:1.28.0', args: ['istio-iptables', '--run-validation', '--skip-rule-apply'] }];
    expect(statuses(ctxOf(STRICT_MESH, undefined, [cni]))).toEqual({ web: 'pass' });
  });

  it('read as pflag and BindEnv read them: --dry-run, -n, =true, a bare switch never taking the next argument, env SKIP_RULE_APPLY, the flag over the env; not --dry-run with --native-nftables', () => {
    const ctx = ctxOf(STRICT_MESH, undefined, [
      injectedPod('dry', { initArgs: INIT('--dry-run') }),
      injectedPod('short', { initArgs: INIT('-n') }),
      injectedPod('valued', { initArgs: INIT('--skip-rule-apply=True') }),
      injectedPod('spaced', { initArgs: INIT('--skip-rule-apply', 'false') }),
      injectedPod('off', { initArgs: INIT('--dry-run=false', '--skip-rule-apply=0') }),
      injectedPod('nft', { initArgs: INIT('--dry-run', '--native-nftables') }),
      withEnv('env', INIT(), { SKIP_RULE_APPLY: 'true' }),
      withEnv('envoff', INIT('--dry-run=false'), { DRY_RUN: '1' }),
      withEnv('envbad', INIT(), { DRY_RUN: 'yes' }),
    ]);
    expect(statuses(ctx)).toEqual({ dry: 'fail', short: 'fail', valued: 'fail', spaced: 'fail', off: 'pass', nft: 'pass', env: 'fail', envoff: 'pass', envbad: 'pass' });
    const v = Object.fromEntries([...istioExcludedInboundPorts.evaluate(ctx)].map((x) => [x.resource.name, x.message]));
    expect(v.dry).toContain('(istio-init argument --dry-run: istio-iptables ran without calling iptables and applied no rules)');
    expect(v.valued).toContain('(istio-init argument --skip-rule-apply="True": istio-iptables applied no rules)');
    expect(v.env).toContain('(istio-init argument env SKIP_RULE_APPLY="true": istio-iptables applied no rules)');
  });
});

describe('Istio ambient: ambient.istio.io/bypass-inbound-capture keeps every inbound connection away from ztunnel', () => {
  const AMBIENT_STRICT = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio.io/dataplane-mode: ambient}}
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
  const BYPASS = 'ambient.istio.io/bypass-inbound-capture';

  it('true (as strconv.ParseBool reads it): every port takes plaintext under STRICT, past a deny-all; other values change nothing', () => {
    const ctx = ctxOf(AMBIENT_STRICT, undefined, [
      deployment('shop', 'web', { annotations: { [BYPASS]: 'true' } }),
      deployment('shop', 'one', { annotations: { [BYPASS]: '1' } }),
      deployment('shop', 'off', { annotations: { [BYPASS]: 'false' } }),
      deployment('shop', 'yes', { annotations: { [BYPASS]: 'yes' } }),
      deployment('shop', 'plain'),
    ]);
    expect(statuses(ctx)).toEqual({ web: 'fail', one: 'fail', off: 'pass', yes: 'pass', plain: 'pass' });
    const failed = [...istioExcludedInboundPorts.evaluate(ctx)].find((v) => v.resource.name === 'web')!;
    expect(failed.message).toMatch(/no inbound port is redirected to ztunnel \(pod annotation ambient\.istio\.io\/bypass-inbound-capture="true"\): traffic there is accepted in plaintext/);
    const v = meshFlowVerdict(ctx.snapshot, ctx.config, 'external', web, 8080, 'TCP');
    expect(v).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(v.reason).toMatch(/is not redirected to ztunnel .*connections never reach ztunnel/);
    expect(meshFlowVerdict(ctx.snapshot, ctx.config, 'external', { ...web, name: 'plain' }, 8080, 'TCP').verdict).toBe('denied');
    const modes = Object.fromEntries(meshWorkloadModes(ctx.snapshot, ctx.config).map((m) => [m.workload.name, m]));
    expect(modes.web).toMatchObject({ mode: 'STRICT', posture: 'plaintext', weakPorts: { 8080: 'bypasses ztunnel', '*': 'bypasses ztunnel' } });
    expect(modes.plain).toMatchObject({ mode: 'STRICT', posture: 'authenticated' });
    // The deny-all protects plain, not web: it never sees web's inbound connections.
    const authz = Object.fromEntries([...authzMissing.evaluate(ctx)].map((x) => [x.resource.name, x]));
    expect(authz.web).toMatchObject({ status: 'fail' });
    expect(authz.web.message).toContain('bypass ztunnel (pod annotation ambient.istio.io/bypass-inbound-capture="true")');
    expect(authz.plain.status).toBe('pass');
  });

  it('the findings name ztunnel, not a sidecar, for an ambient pod (it has none): mtls.authz-missing and mtls.authz-allow-any', () => {
    const bypassed = deployment('shop', 'web', { annotations: { [BYPASS]: 'true' } });
    const withPolicy = (spec: string) => ctxOf(AMBIENT_STRICT.replace('metadata: {name: deny-all, namespace: shop}\nspec: {}', `metadata: {name: p, namespace: shop}\nspec: ${spec}`), undefined, [bypassed]);
    const missing = (spec: string) => [...authzMissing.evaluate(withPolicy(spec))].find((x) => x.resource.name === 'web')!.message;
    expect(missing('{}')).toContain('ALLOW policies decide who may call it through ztunnel (shop/p), but ports 8080, any other port bypass ztunnel');
    expect(missing('{action: DENY, rules: [{}]}')).toContain('DENY shop/p refuses every call through ztunnel, but ports 8080, any other port bypass ztunnel');
    expect(missing('{action: DENY, rules: [{}]}')).not.toContain('sidecar');
    const any = [...authzAllowAny.evaluate(withPolicy('{rules: [{}]}'))].find((x) => x.status === 'fail')!;
    expect(any.message).toContain('(bypasses ztunnel, pod annotation ambient.istio.io/bypass-inbound-capture="true")');
    expect(any.message).not.toContain('sidecar');
  });
});
