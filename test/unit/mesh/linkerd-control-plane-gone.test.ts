// Linkerd still installed (its proxy injector webhook, or pods still running a linkerd-proxy) while
// its control plane does not run. What upstream says each component does:
// - linkerd-identity certifies the proxies: identity.issuer.issuanceLifetime "Amount of time for
//   which the Identity issuer should certify identity", 24h0m0s (linkerd/linkerd2
//   charts/linkerd-control-plane/values.yaml); "Linkerd automatically rotates the TLS certificates
//   for data plane proxies every 24 hours"
//   (https://linkerd.io/2.10/tasks/automatically-rotating-control-plane-tls-credentials/).
// - linkerd-destination serves the proxies' discovery and runs the policy controller
//   (charts/linkerd-control-plane/templates/destination.yaml, container `policy`).
// - The injector webhook linkerd-proxy-injector-webhook-config calls Service
//   linkerd/linkerd-proxy-injector with failurePolicy {{.Values.webhookFailurePolicy}}
//   (templates/proxy-injector-rbac.yaml), Ignore by default (values.yaml): the API server then
//   admits a new pod unmutated, without a proxy.
// mtls.linkerd-unauthenticated-default, whose cluster-wide pass says the default policy requires a
// mesh identity, fails naming what is missing; a healthy or fully uninstalled Linkerd is judged as
// before; a control plane served from outside the cluster, or a manifests directory, says nothing.
import { describe, expect, it } from 'vitest';
import { linkerdUnauthenticatedDefault } from '../../../checks/mtls/linkerd-unauthenticated-default.ts';
import { workloadOutsideMesh } from '../../../checks/mtls/workload-outside-mesh.ts';
import { meshModel } from '../../../src/analysis/mesh/index.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { ctxOf } from './helpers.ts';

const pod = (namespace: string, name: string, containers: string, labels = '') => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${namespace}, labels: {app: ${name}${labels}}}
spec: {containers: [${containers}]}
---`;
const PROXY = '{name: linkerd-proxy, image: cr.l5d.io/linkerd/proxy:edge-25.1.1}';
const controller = (container: string, image = 'cr.l5d.io/linkerd/controller:edge-25.1.1') => pod('linkerd', `linkerd-${container}-6c9f`, `{name: ${container}, image: ${image}}, ${PROXY}`);
const IDENTITY = controller('identity');
const DESTINATION = controller('destination');
const INJECTOR = controller('proxy-injector');
// The chart's webhook and Service (templates/proxy-injector-rbac.yaml, proxy-injector.yaml).
const webhook = (clientConfig = '{service: {name: linkerd-proxy-injector, namespace: linkerd, path: /}}', failurePolicy = 'Ignore') => `
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: linkerd-proxy-injector-webhook-config, labels: {linkerd.io/control-plane-component: proxy-injector, linkerd.io/control-plane-ns: linkerd}}
webhooks: [{name: linkerd-proxy-injector.linkerd.io, rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods, services]}], clientConfig: ${clientConfig}, failurePolicy: ${failurePolicy}}]
---`;
const INJECTOR_SERVICE = `
apiVersion: v1
kind: Service
metadata: {name: linkerd-proxy-injector, namespace: linkerd}
spec: {type: ClusterIP, selector: {linkerd.io/control-plane-component: proxy-injector}, ports: [{name: proxy-injector, port: 443}]}
---`;
const SHOP = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled}}
---${pod('shop', 'web', `{name: app, image: example/web:1, ports: [{containerPort: 8080}]}, ${PROXY}`)}`;
const HEALTHY = `${SHOP}${webhook()}${INJECTOR_SERVICE}${IDENTITY}${DESTINATION}${INJECTOR}`;

/** A live snapshot (the verdict is judged on live workloads only), cluster default all-authenticated. */
const live = (yaml: string) => {
  const ctx = ctxOf(yaml, (c) => { c.mesh.linkerdDefaultInboundPolicy = 'all-authenticated'; });
  Object.assign(ctx.snapshot, { source: 'live', origin: 'live' });
  return ctx;
};
const verdicts = (yaml: string) => [...linkerdUnauthenticatedDefault.evaluate(live(yaml))];
const clusterVerdict = (yaml: string) => verdicts(yaml).find((v) => v.detailKey === 'default-inbound-policy')!;

describe('Linkerd installed, its control plane gone: mtls.linkerd-unauthenticated-default', () => {
  it('a healthy Linkerd passes, with no word of its control plane', () => {
    const vs = verdicts(HEALTHY);
    expect(vs.map((v) => v.status)).not.toContain('fail');
    expect(vs.find((v) => v.resource.name === 'web')!.message).not.toContain('control plane');
    expect(vs[0].evidence).not.toHaveProperty('controlPlane');
  });

  it('without linkerd-identity the cluster-wide verdict fails, naming it and what proxies lose; the workloads keep their pass with a note, one failure in all', () => {
    const vs = verdicts(`${SHOP}${webhook()}${INJECTOR_SERVICE}${DESTINATION}${INJECTOR}`);
    const failed = vs.filter((v) => v.status === 'fail');
    expect(failed).toHaveLength(1);
    expect(failed[0].detailKey).toBe('default-inbound-policy');
    expect(failed[0].message).toContain('no pod runs linkerd-identity although Linkerd is still installed');
    expect(failed[0].message).toContain('without linkerd-identity the running proxies cannot renew their certificates (issued for 24h by default)');
    expect(failed[0].message).not.toContain('linkerd-destination');
    const web = vs.find((v) => v.resource.name === 'web')!;
    expect(web.status).toBe('pass');
    expect(web.message).toContain("Linkerd's control plane is incomplete");
    expect(web.evidence).toMatchObject({ controlPlane: expect.stringContaining('linkerd-identity') });
  });

  // A merge review: `kubectl delete namespace linkerd` deletes the Deployments and Services, not the
  // cluster-scoped webhook; the proxies still call linkerd-identity-headless.linkerd.svc. The
  // missing Service was read as "control plane served from elsewhere": the verdict passed.
  it('the namespace linkerd deleted, its webhook left behind: the missing injector Service answers nothing, so it fails', () => {
    const v = clusterVerdict(`${SHOP}${webhook()}`);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('no pod runs linkerd-identity, linkerd-destination or linkerd-proxy-injector although Linkerd is still installed (its proxy injector webhook remains and 1 pod(s) run a linkerd-proxy)');
  });

  // The same review: a webhook left by an uninstall, with no Service behind it and no proxy
  // anywhere, made Linkerd "present" and every Linkerd check apply (a high "meshed pods accept
  // plaintext" finding about a linkerd-config that does not exist).
  it('a leftover webhook alone (its Service gone, no proxy, no linkerd-config) is no Linkerd install: the checks do not apply', () => {
    const none = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---${pod('shop', 'web', '{name: app, image: example/web:1}')}${webhook()}`;
    expect(meshModel(live(none).snapshot, live(none).config).linkerd.present).toBe(false);
    expect(linkerdUnauthenticatedDefault.appliesTo!(live(none))).toBe(false);
    // Its Service still there (an install whose pods are gone): installed.
    expect(meshModel(live(`${none}${INJECTOR_SERVICE}`).snapshot, live(none).config).linkerd.present).toBe(true);
  });

  it('a linkerd-identity Deployment scaled to zero (no pods) is gone too', () => {
    const scaledToZero = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: linkerd-identity, namespace: linkerd}
spec:
  replicas: 0
  selector: {matchLabels: {linkerd.io/control-plane-component: identity}}
  template:
    metadata: {labels: {linkerd.io/control-plane-component: identity, linkerd.io/control-plane-ns: linkerd}}
    spec: {containers: [{name: identity, image: cr.l5d.io/linkerd/controller:edge-25.1.1}]}
---`;
    const v = clusterVerdict(`${SHOP}${webhook()}${INJECTOR_SERVICE}${scaledToZero}${DESTINATION}${INJECTOR}`);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('no pod runs linkerd-identity');
  });

  it('without linkerd-destination it fails naming discovery and the policy that authorizes inbound calls', () => {
    const v = clusterVerdict(`${SHOP}${webhook()}${INJECTOR_SERVICE}${IDENTITY}${INJECTOR}`);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('without linkerd-destination proxies cannot discover endpoints nor receive the policy that authorizes inbound calls');
  });

  it('uninstalled while meshed pods still run their proxies (no webhook left): identity and destination are named, the injector is not', () => {
    const v = clusterVerdict(SHOP);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('1 pod(s) still run a linkerd-proxy');
    expect(v.message).toContain('no pod runs linkerd-identity or linkerd-destination although');
    expect(v.message).not.toContain('proxy-injector');
  });

  it('without the proxy injector its webhook\'s failurePolicy says what happens to new pods: Ignore (the chart default) admits them unmeshed, Fail refuses them', () => {
    const ignore = clusterVerdict(`${SHOP}${webhook()}${INJECTOR_SERVICE}${IDENTITY}${DESTINATION}`);
    expect(ignore.status).toBe('fail');
    expect(ignore.message).toContain('without linkerd-proxy-injector its webhook linkerd-proxy-injector-webhook-config (failurePolicy Ignore) lets new pods in the namespaces annotated linkerd.io/inject start without a proxy, outside the mesh');
    const fail = clusterVerdict(`${SHOP}${webhook(undefined, 'Fail')}${INJECTOR_SERVICE}${IDENTITY}${DESTINATION}`);
    expect(fail.message).toContain('(failurePolicy Fail) refuses new pods in the namespaces annotated linkerd.io/inject');
  });

  it('mtls.workload-outside-mesh: a pod started unmeshed while the injector is gone (failurePolicy Ignore) is not told to restart into a mesh nobody injects', () => {
    const unmeshed = pod('shop', 'api', '{name: app, image: example/api:1}');
    const gone = [...workloadOutsideMesh.evaluate(live(`${SHOP}${unmeshed}${webhook()}${INJECTOR_SERVICE}${IDENTITY}${DESTINATION}`))].find((v) => v.resource.name === 'api')!;
    expect(gone.status).toBe('fail');
    expect(gone.message).toContain('namespace annotation linkerd.io/inject=enabled: no ready linkerd-proxy-injector pod runs and its webhook ignores the failure, so new pods start without a proxy');
    expect(gone.message).not.toContain('(restart the pod)');
    // With failurePolicy Fail no pod is admitted without the injector: nothing of the kind is said.
    const refused = [...workloadOutsideMesh.evaluate(live(`${SHOP}${unmeshed}${webhook(undefined, 'Fail')}${INJECTOR_SERVICE}${IDENTITY}${DESTINATION}`))].find((v) => v.resource.name === 'api')!;
    expect(refused.message).not.toContain('its webhook ignores the failure');
    // With the injector running, the advice stays a restart.
    const healthy = [...workloadOutsideMesh.evaluate(live(`${HEALTHY}${unmeshed}`))].find((v) => v.resource.name === 'api')!;
    expect(healthy.message).toContain('(restart the pod)');
  });

  it('the webhook alone makes Linkerd present, and its control plane gone', () => {
    const ctx = live(`${webhook()}${INJECTOR_SERVICE}`);
    expect(meshModel(ctx.snapshot, ctx.config).linkerd.present).toBe(true);
    expect(meshModel(ctx.snapshot, ctx.config).linkerd.controlPlaneGone).toContain('its proxy injector webhook remains');
  });

  it('fully uninstalled (no webhook, no proxy; only the namespace annotation left) is judged as before: a pass', () => {
    const ns = SHOP.slice(0, SHOP.indexOf('---') + 3);
    const ctx = live(`${ns}${pod('shop', 'web', '{name: app, image: example/web:1}')}`);
    expect(meshModel(ctx.snapshot, ctx.config).linkerd.present).toBe(true);
    expect(meshModel(ctx.snapshot, ctx.config).linkerd.controlPlaneGone).toBeUndefined();
    expect(clusterVerdict(`${ns}${pod('shop', 'web', '{name: app, image: example/web:1}')}`).status).toBe('pass');
  });

  it('a control plane served from elsewhere says nothing: a webhook calling a URL, a selector-less or ExternalName Service, proxies pointed at an outside address', () => {
    expect(clusterVerdict(`${SHOP}${webhook('{url: "https://l5d.example:8443/"}')}`).status).toBe('pass');
    const noSelector = INJECTOR_SERVICE.replace('selector: {linkerd.io/control-plane-component: proxy-injector}, ', '');
    expect(clusterVerdict(`${SHOP}${webhook()}${noSelector}`).status).toBe('pass');
    const externalName = INJECTOR_SERVICE.replace('type: ClusterIP', 'type: ExternalName, externalName: l5d.example');
    expect(clusterVerdict(`${SHOP}${webhook()}${externalName}`).status).toBe('pass');
    const outside = `${PROXY.slice(0, -1)}, env: [{name: LINKERD2_PROXY_IDENTITY_SVC_ADDR, value: "identity.l5d.example:8080"}]}`;
    expect(clusterVerdict(`${SHOP.replace(PROXY, outside)}`).status).toBe('pass');
    // The chart's in-cluster addresses are no sign of elsewhere.
    const inCluster = `${PROXY.slice(0, -1)}, env: [{name: LINKERD2_PROXY_IDENTITY_SVC_ADDR, value: "linkerd-identity-headless.linkerd.svc.cluster.local.:8080"}]}`;
    expect(clusterVerdict(`${SHOP.replace(PROXY, inCluster)}`).status).toBe('fail');
  });

  it('a control plane on a vendor\'s images is recognised by the chart\'s component labels', () => {
    const labelled = (c: string) => pod('linkerd', `linkerd-${c}-6c9f`, `{name: ${c}, image: ghcr.io/buoyantio/controller:enterprise-2.17.1}`, `, linkerd.io/control-plane-component: ${c}, linkerd.io/control-plane-ns: linkerd`);
    expect(clusterVerdict(`${SHOP}${webhook()}${INJECTOR_SERVICE}${labelled('identity')}${labelled('destination')}${labelled('proxy-injector')}`).status).toBe('pass');
  });

  it('with the Services unread the verdict is not claimed: the check is not evaluated, naming the webhook\'s Service', () => {
    const ctx = live(`${SHOP}${webhook()}${INJECTOR_SERVICE}${IDENTITY}${DESTINATION}`);
    ctx.snapshot.resources.services = [];
    ctx.snapshot.coverage.services = { status: 'forbidden' };
    expect(meshModel(ctx.snapshot, ctx.config).linkerd.controlPlaneGone).toBeUndefined();
    const o = runChecks([linkerdUnauthenticatedDefault], ctx)[0];
    expect(o.status).toBe('not-evaluated');
    expect(o.reason).toContain('linkerd/linkerd-proxy-injector');
  });

  it('from a manifests directory, which rarely holds the mesh\'s install, nothing is said', () => {
    const ctx = ctxOf(SHOP, (c) => { c.mesh.linkerdDefaultInboundPolicy = 'all-authenticated'; });
    expect([...linkerdUnauthenticatedDefault.evaluate(ctx)].map((v) => v.status)).not.toContain('fail');
  });
});
