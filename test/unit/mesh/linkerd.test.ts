import { describe, expect, it } from 'vitest';
import { meshModel, meshWorkloadModes } from '../../../src/analysis/mesh/index.ts';
import { linkerdUnauthenticatedDefault } from '../../../checks/mtls/linkerd-unauthenticated-default.ts';
import { workloadOutsideMesh } from '../../../checks/mtls/workload-outside-mesh.ts';
import { ctxOf, deployment, fails, run } from './helpers.ts';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';

const NS = (policy?: string) => `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  annotations:
    linkerd.io/inject: enabled
${policy ? `    config.linkerd.io/default-inbound-policy: ${policy}` : ''}
`;

describe('Linkerd', () => {
  it('case 10: namespace inject enabled, pod disabled -> pod unmeshed: FAIL', () => {
    const ctx = ctxOf(NS(), undefined, [deployment('shop', 'web'), deployment('shop', 'batch', { annotations: { 'linkerd.io/inject': 'disabled' } })]);
    const v = [...workloadOutsideMesh.evaluate(ctx)];
    expect(v.find((x) => x.resource.name === 'web')?.status).toBe('pass');
    const b = v.find((x) => x.resource.name === 'batch');
    expect(b?.status).toBe('fail');
    expect(b?.message).toMatch(/linkerd\.io\/inject=disabled/);
  });

  it('case 11: cluster-unauthenticated is a WARN-level finding, all-authenticated passes', () => {
    const warn = ctxOf(NS('cluster-unauthenticated'), undefined, [deployment('shop', 'web')]);
    const wv = [...linkerdUnauthenticatedDefault.evaluate(warn)].find((x) => x.resource.name === 'web');
    expect(wv).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(meshWorkloadModes(warn.snapshot, warn.config).find((m) => m.workload.name === 'web')).toMatchObject({ mesh: 'linkerd', mode: 'linkerd:cluster-unauthenticated' });

    const ok = ctxOf(NS('all-authenticated'), undefined, [deployment('shop', 'web')]);
    expect([...linkerdUnauthenticatedDefault.evaluate(ok)].find((x) => x.resource.name === 'web')?.status).toBe('pass');
  });

  it('cluster default: all-unauthenticated unless the linkerd-config ConfigMap or config says otherwise', () => {
    const dflt = ctxOf(NS(), undefined, [deployment('shop', 'web')]);
    const v = [...linkerdUnauthenticatedDefault.evaluate(dflt)];
    expect(v.find((x) => x.resource.kind === 'ConfigMap')).toMatchObject({ status: 'fail', severity: 'high' });
    expect(v.find((x) => x.resource.name === 'web')).toMatchObject({ status: 'fail', severity: 'high' });

    const fromConfig = ctxOf(NS(), (c) => { c.mesh.linkerdDefaultInboundPolicy = 'all-authenticated'; }, [deployment('shop', 'web')]);
    expect(fails([...linkerdUnauthenticatedDefault.evaluate(fromConfig)])).toHaveLength(0);

    const fromCm = ctxOf(`${NS()}---
apiVersion: v1
kind: ConfigMap
metadata: {name: linkerd-config, namespace: linkerd}
data:
  values: |
    proxy:
      defaultInboundPolicy: cluster-authenticated
`, (c) => { c.mesh.linkerdDefaultInboundPolicy = 'all-unauthenticated'; }, [deployment('shop', 'web')]);
    expect(meshModel(fromCm.snapshot, fromCm.config).linkerd.clusterDefault.policy).toBe('cluster-authenticated');
    expect(fails([...linkerdUnauthenticatedDefault.evaluate(fromCm)])).toHaveLength(0);
  });

  it('a Server covering every declared port takes the workload out of the default policy', () => {
    const ctx = ctxOf(`${NS()}---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: web-http, namespace: shop}
spec: {podSelector: {matchLabels: {app: web}}, port: 8080, proxyProtocol: HTTP/1}
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: api-open, namespace: shop}
spec: {podSelector: {matchExpressions: [{key: app, operator: In, values: [api]}]}, port: 8080, accessPolicy: all-unauthenticated}
`, undefined, [deployment('shop', 'web'), deployment('shop', 'api'), deployment('shop', 'two-ports', { ports: [8080, 9090] })]);
    const v = [...linkerdUnauthenticatedDefault.evaluate(ctx)];
    const st = (n: string) => v.find((x) => x.resource.name === n);
    expect(st('web')?.status).toBe('pass');
    expect(st('api')?.status).toBe('fail');
    expect(st('two-ports')).toMatchObject({ status: 'fail', evidence: { uncoveredPorts: [8080, 9090] } });
  });

  it('an unknown policy value is ignored for the cluster default, which the finding judges and names (linkerd-invalid-default-policy.test.ts)', () => {
    const ctx = ctxOf(NS(), undefined, [deployment('shop', 'web', { annotations: { 'config.linkerd.io/default-inbound-policy': 'everyone' } })]);
    const v = [...linkerdUnauthenticatedDefault.evaluate(ctx)].find((x) => x.resource.name === 'web');
    expect(v).toMatchObject({ status: 'fail', severity: 'high', evidence: { policy: 'all-unauthenticated' } });
    expect(v?.message).toContain('Linkerd install default; pod annotation config.linkerd.io/default-inbound-policy "everyone" is not a Linkerd policy, so Linkerd ignores it');
  });
});

// The policy controller reads a pod's own annotations (linkerd2 policy-controller/k8s/index:
// `settings.default_policy.unwrap_or(config.default_policy)`); the namespace's reach a pod only
// when the proxy injector copies them at injection (controller/proxy-injector/webhook.go: "If
// namespace has annotations that do not exist on pod then copy them over").
// linkerd2 charts/linkerd-control-plane/values.yaml (commit 01d1e4646ce4),
// proxyInjector.namespaceSelector: `config.linkerd.io/admission-webhooks NotIn [disabled]` and
// `kubernetes.io/metadata.name NotIn [kube-system, cert-manager]`: the API server never calls the
// proxy injector for those namespaces, so their linkerd.io/inject annotation is never acted on
// (https://linkerd.io/2/checks/#l5d-injection-disabled labels kube-system so for HA).
describe('Linkerd namespaces the proxy injector never sees', () => {
  const ns = (name: string, labels = '') => `
apiVersion: v1
kind: Namespace
metadata: {name: ${name}, labels: {${labels}}, annotations: {linkerd.io/inject: enabled}}
---`;
  const livePod = (namespace: string, containers: string) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'live', namespace, labels: { app: 'live' } },
    spec: { containers: containers.split(',').map((name) => ({ name, image: `example/${name}:1` })) },
  });

  it('a template in a namespace labelled admission-webhooks=disabled, or in kube-system or cert-manager, is not meshed and says why', () => {
    const ctx = ctxOf(`${ns('payments', 'config.linkerd.io/admission-webhooks: disabled')}${ns('cert-manager')}${ns('kube-system')}${ns('shop', 'config.linkerd.io/admission-webhooks: enabled')}`, undefined, [
      deployment('payments', 'ledger'), deployment('cert-manager', 'webhook'), deployment('kube-system', 'dns'), deployment('shop', 'web'),
    ]);
    const m = meshModel(ctx.snapshot, ctx.config);
    expect(Object.fromEntries(m.workloads.map((w) => [w.workload.ref.name, w.mesh]))).toEqual({ ledger: 'none', webhook: 'none', dns: 'none', web: 'linkerd' });
    expect(m.workloads.find((w) => w.workload.ref.name === 'ledger')?.unmeshedReason).toBe('the Linkerd proxy injector\'s namespaceSelector excludes this namespace (namespace label config.linkerd.io/admission-webhooks=disabled), so namespace annotation linkerd.io/inject=enabled is never acted on');
    expect(m.workloads.find((w) => w.workload.ref.name === 'webhook')?.unmeshedReason).toMatch(/namespaceSelector excludes this namespace \(kubernetes\.io\/metadata\.name cert-manager\)/);
    // The namespaces still say they are meant meshed: the workloads are reported outside the mesh.
    expect(fails([...workloadOutsideMesh.evaluate(ctx)]).map((v) => v.resource.name).sort()).toEqual(['dns', 'ledger', 'webhook']);
  });

  it('a running pod is judged by its containers there too: a linkerd-proxy (injected before the label, or by hand) is meshed', () => {
    const ctx = ctxOf(ns('payments', 'config.linkerd.io/admission-webhooks: disabled'), undefined, [livePod('payments', 'app,linkerd-proxy')]);
    expect(meshModel(ctx.snapshot, ctx.config).workloads.map((w) => w.mesh)).toEqual(['linkerd']);
  });
});

describe('Linkerd default inbound policy of running pods', () => {
  const livePod = (annotations: Record<string, string> = {}) => `
---
apiVersion: v1
kind: Pod
metadata: {name: api-0, namespace: shop, labels: {app: api}, annotations: ${JSON.stringify({ 'linkerd.io/inject': 'enabled', ...annotations })}}
spec: {containers: [{name: app, image: x, ports: [{containerPort: 8000}]}, {name: linkerd-proxy, image: y}]}
`;

  it('a running pod injected before its namespace got all-authenticated keeps the cluster default, and is told to restart', () => {
    const ctx = ctxOf(NS('all-authenticated') + livePod());
    const v = [...linkerdUnauthenticatedDefault.evaluate(ctx)].find((x) => x.resource.name === 'api-0');
    expect(v).toMatchObject({ status: 'fail', severity: 'high', evidence: { policy: 'all-unauthenticated', source: 'Linkerd install default' } });
    expect(v?.message).toMatch(/namespace shop annotation config\.linkerd\.io\/default-inbound-policy says "all-authenticated".*restart them/);
    const flow = meshFlowVerdict(ctx.snapshot, ctx.config, 'external', { kind: 'Pod', namespace: 'shop', name: 'api-0' }, 8000, 'TCP');
    expect(flow.verdict).toBe('allowed');
  });

  it('a running pod that carries the annotation (copied at injection) follows it; a template still takes its namespace\'s', () => {
    const ctx = ctxOf(NS('all-authenticated') + livePod({ 'config.linkerd.io/default-inbound-policy': 'all-authenticated' }), undefined, [deployment('shop', 'web')]);
    const v = [...linkerdUnauthenticatedDefault.evaluate(ctx)];
    expect(v.find((x) => x.resource.name === 'api-0')).toMatchObject({ status: 'pass', evidence: { source: 'pod annotation config.linkerd.io/default-inbound-policy' } });
    expect(v.find((x) => x.resource.name === 'api-0')?.message).not.toMatch(/restart/);
    expect(v.find((x) => x.resource.name === 'web')).toMatchObject({ status: 'pass', evidence: { source: 'namespace shop annotation config.linkerd.io/default-inbound-policy' } });
  });
});

// The proxy injector writes the namespace's config annotations onto every pod it injects that
// lacks the key (linkerd2 controller/proxy-injector/webhook.go: "If namespace has annotations that
// do not exist on pod then copy them over to pod's template"; pkg/inject/inject.go
// AppendNamespaceAnnotations with GetConfigOverride: the workload's own value, else the
// namespace's), and stamps linkerd.io/created-by "linkerd/proxy-injector <version>". So a webhook-
// injected pod's value is usually the namespace's value at injection time, and a pod re-created
// from a template without the key takes the namespace's value now
// (https://linkerd.io/2/reference/proxy-configuration/: "can be set on a namespace ... and will
// apply to all workloads in that namespace" when they are injected).
describe('Linkerd default inbound policy: a namespace value changed after injection', () => {
  const ANN = 'config.linkerd.io/default-inbound-policy';
  const cluster = (nsPolicy: string) => `
apiVersion: v1
kind: ConfigMap
metadata: {name: linkerd-config, namespace: linkerd}
data:
  values: |
    proxy:
      defaultInboundPolicy: all-unauthenticated
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled, ${ANN}: ${nsPolicy}}}
---`;
  /** A running pod injected while shop said all-unauthenticated: the injector copied that value. */
  const pod = (createdBy: string, owner = '') => `
apiVersion: v1
kind: Pod
metadata:
  name: api-1
  namespace: shop
  labels: {app: api}
  annotations: {linkerd.io/created-by: "${createdBy}", linkerd.io/inject: enabled, ${ANN}: all-unauthenticated}${owner}
spec:
  serviceAccountName: api
  containers: [{name: app, image: x/api:1, ports: [{containerPort: 8080}]}, {name: linkerd-proxy, image: cr.l5d.io/linkerd/proxy:stable-2.14.10}]
---`;
  const RESTART = 'namespace shop annotation config.linkerd.io/default-inbound-policy says "deny", but the running pods were injected without it: restart them to pick it up';
  const judgeApi = (yaml: string) => run(linkerdUnauthenticatedDefault, ctxOf(yaml)).find((v) => v.resource.name === 'api-1' || v.resource.name === 'api');

  it('a webhook-injected pod holding the earlier copied value is told to restart (was: no hint since the pod has the key)', () => {
    const v = judgeApi(`${cluster('deny')}${pod('linkerd/proxy-injector stable-2.14.10')}`);
    expect(v).toMatchObject({ status: 'fail', severity: 'high', evidence: { policy: 'all-unauthenticated', source: `pod annotation ${ANN}`, pendingOnRestart: { value: 'deny' } } });
    expect(v?.message).toContain(RESTART);
    // Injected by `linkerd inject --manual`: the injector never touches it, so a restart changes nothing.
    const cli = judgeApi(`${cluster('deny')}${pod('linkerd/cli stable-2.14.10')}`);
    expect(cli).toMatchObject({ status: 'fail', evidence: { policy: 'all-unauthenticated' } });
    expect(cli?.message).not.toMatch(/restart/);
    // The namespace still says what the pod has: nothing pending.
    expect(judgeApi(`${cluster('all-unauthenticated')}${pod('linkerd/proxy-injector stable-2.14.10')}`)?.message).not.toMatch(/restart/);
  });

  it('with the owning Deployment in the snapshot, its template decides: without the key the pod is re-injected with the namespace\'s value, with it not', () => {
    const owned = (templateAnnotations: string) => `${cluster('deny')}
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop, uid: d1}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}, annotations: {${templateAnnotations}}}
    spec: {serviceAccountName: api, containers: [{name: app, image: x/api:1, ports: [{containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: api-5d8f7, namespace: shop, uid: u1, labels: {app: api}, ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: api, uid: d1, controller: true}]}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}, annotations: {${templateAnnotations}}}
    spec: {serviceAccountName: api, containers: [{name: app, image: x/api:1, ports: [{containerPort: 8080}]}]}
---${pod('linkerd/proxy-injector stable-2.14.10', '\n  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: api-5d8f7, uid: u1, controller: true}]')}`;
    const lacks = judgeApi(owned('linkerd.io/inject: enabled'));
    expect(lacks).toMatchObject({ status: 'fail', resource: { kind: 'Deployment', name: 'api' }, evidence: { policy: 'all-unauthenticated', pendingOnRestart: { value: 'deny' } } });
    expect(lacks?.message).toContain(RESTART);
    // The template sets all-unauthenticated itself: a new pod keeps it, whatever the namespace says.
    const has = judgeApi(owned(`${ANN}: all-unauthenticated`));
    expect(has).toMatchObject({ status: 'fail', resource: { kind: 'Deployment', name: 'api' }, evidence: { policy: 'all-unauthenticated' } });
    expect(has?.evidence).not.toHaveProperty('pendingOnRestart');
    expect(has?.message).not.toMatch(/restart/);
  });
});

// config.linkerd.io/proxy-require-identity-inbound-ports (https://linkerd.io/2/reference/proxy-configuration/):
// the policy controller sets authenticated_only on the default policy of those ports
// (linkerd2 policy-controller/k8s/index default_inbound_server: `if settings.require_id_ports.contains(&port)`).
describe('Linkerd ports that require identity', () => {
  const REQ = 'config.linkerd.io/proxy-require-identity-inbound-ports';

  it('all-unauthenticated default: a port listed there requires a mesh identity, the others still admit plaintext', () => {
    const ctx = ctxOf(NS(), undefined, [
      deployment('shop', 'ledger', { ports: [8000], annotations: { [REQ]: '8000' } }),
      deployment('shop', 'two', { ports: [8000, 9000], annotations: { [REQ]: '7000-8000' } }),
    ]);
    const v = [...linkerdUnauthenticatedDefault.evaluate(ctx)];
    expect(v.find((x) => x.resource.name === 'ledger')).toMatchObject({ status: 'pass', evidence: { requireIdentityPorts: { ports: ['8000'] } } });
    expect(v.find((x) => x.resource.name === 'two')).toMatchObject({ status: 'fail', severity: 'high', evidence: { uncoveredPorts: [9000] } });

    const at = (name: string, port: number) => meshFlowVerdict(ctx.snapshot, ctx.config, 'external', { kind: 'Deployment', namespace: 'shop', name }, port, 'TCP');
    expect(at('ledger', 8000).verdict).toBe('denied');
    expect(at('ledger', 8000).reason).toMatch(/made all-authenticated on this port/);
    expect(at('two', 9000).verdict).toBe('allowed');
  });

  // policy-controller/k8s/index/src/ports.rs (linkerd2 stable-2.14.10, edge-25.12.3): ports_annotation
  // logs "Invalid ports list" and uses the empty set when parse_portset fails on any entry.
  it('a list with one entry the policy controller cannot read requires identity on no port: the workload fails, naming the list (was: pass on 8000)', () => {
    const ctx = ctxOf(NS(), undefined, [
      deployment('shop', 'ledger', { ports: [8000], annotations: { [REQ]: '8000,x' } }),
      deployment('shop', 'spaced', { ports: [8000], annotations: { [REQ]: ' 7000 - 8000 ' } }),
    ]);
    const v = [...linkerdUnauthenticatedDefault.evaluate(ctx)];
    const ledger = v.find((x) => x.resource.name === 'ledger');
    expect(ledger).toMatchObject({ status: 'fail', severity: 'high', evidence: { uncoveredPorts: [8000], requireIdentityPorts: { ports: [], ignored: 'entry "x" is no port from 1 to 65535' } } });
    expect(ledger?.message).toContain(`its ${REQ} (`);
    expect(ledger?.message).toContain(') is ignored by Linkerd\'s policy controller, as one entry "x" is no port from 1 to 65535, so no port requires a mesh identity');
    // Bounds of a range are trimmed: " 7000 - 8000 " covers 8000.
    expect(v.find((x) => x.resource.name === 'spaced')).toMatchObject({ status: 'pass', evidence: { requireIdentityPorts: { ports: ['7000-8000'] } } });
    const at = (name: string, port: number) => meshFlowVerdict(ctx.snapshot, ctx.config, 'external', { kind: 'Deployment', namespace: 'shop', name }, port, 'TCP');
    expect(at('ledger', 8000).verdict).toBe('allowed');
    expect(at('spaced', 8000).verdict).toBe('denied');
  });

  it('a template takes its namespace\'s list (injected from it); audit is not changed by it', () => {
    const ctx = ctxOf(`${NS()}    ${REQ}: "8000"\n`, undefined, [
      deployment('shop', 'ledger', { ports: [8000] }),
      deployment('shop', 'audited', { ports: [8000], annotations: { 'config.linkerd.io/default-inbound-policy': 'audit' } }),
    ]);
    const v = [...linkerdUnauthenticatedDefault.evaluate(ctx)];
    expect(v.find((x) => x.resource.name === 'ledger')?.status).toBe('pass');
    expect(v.find((x) => x.resource.name === 'audited')?.status).toBe('fail');
  });
});
