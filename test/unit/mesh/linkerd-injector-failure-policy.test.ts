// linkerd-config's values without proxyInit make Linkerd's proxy injector fail on every pod it
// injects (linkerd-installed-ignore-ports.test.ts has the upstream source: stable-2.14.10
// pkg/inject/inject.go injectProxyInit dereferences the nil Values.ProxyInit). What the API server
// then does with the pod is the webhook's failurePolicy
// (https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#failure-policy:
// "Ignore means that an error calling the webhook is ignored and the API request is allowed to
// continue. Fail means that an error calling the webhook causes the admission to fail and the API
// request to be rejected"). Linkerd's chart writes it from webhookFailurePolicy, default Ignore
// (linkerd2 stable-2.14.10 charts/linkerd-control-plane/templates/proxy-injector-rbac.yaml
// `failurePolicy: {{.Values.webhookFailurePolicy}}` on webhook linkerd-proxy-injector.linkerd.io of
// MutatingWebhookConfiguration linkerd-proxy-injector-webhook-config; values.yaml
// `webhookFailurePolicy: Ignore`).
// Before: every such template was "run without a mesh proxy" (high) whatever the failurePolicy;
// under Fail its pods are refused and never run, in the mesh or out of it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { workloadOutsideMesh } from '../../../checks/mtls/workload-outside-mesh.ts';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { ctxOf, run } from './helpers.ts';

const NO_PROXY_INIT = `
apiVersion: v1
kind: ConfigMap
metadata: {name: linkerd-config, namespace: linkerd}
data:
  values: |
    proxy:
      defaultInboundPolicy: all-unauthenticated
---`;
const webhook = (policy: string) => `
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: linkerd-proxy-injector-webhook-config, labels: {linkerd.io/control-plane-component: proxy-injector}}
webhooks:
- name: linkerd-proxy-injector.linkerd.io
  clientConfig: {service: {name: linkerd-proxy-injector, namespace: linkerd, path: /}}
  ${policy}
  sideEffects: None
  rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods, services]}]
  admissionReviewVersions: [v1]
---`;
const scene = (extra: string) => `${NO_PROXY_INIT}${extra}
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: example/api:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: old-0, namespace: shop, labels: {app: old}}
spec:
  containers: [{name: old, image: example/old:1}]
`;
const verdict = (y: string, name: string, forbid = false) => {
  const c = ctxOf(y);
  if (forbid) c.snapshot.coverage.mutatingwebhookconfigurations = { status: 'forbidden', detail: 'list mutatingwebhookconfigurations (denied)' };
  return run(workloadOutsideMesh, c).find((v) => v.resource.name === name)!;
};

describe('Linkerd: the injector fails (no proxyInit); its webhook\'s failurePolicy decides what happens to the pods', () => {
  it('failurePolicy Fail: the template\'s pods are refused, said so, a low finding, not "run without a mesh proxy" (was: high, outside the mesh)', () => {
    const v = verdict(scene(webhook('failurePolicy: Fail')), 'api');
    expect(v.status).toBe('fail');
    expect(v.severity).toBe('low');
    expect(v.message).toContain('Deployment shop/api: its pods cannot start, so it runs neither in the mesh nor outside it');
    expect(v.message).toContain('MutatingWebhookConfiguration linkerd-proxy-injector-webhook-config has failurePolicy Fail, so the API server refuses to create the pod: new pods fail to start (pods already running keep running as they were)');
    expect(v.message).not.toContain('run without a mesh proxy');
    expect(v.evidence).toMatchObject({ refusedPods: 1, unmeshedPods: 0 });
  });

  it('failurePolicy Ignore: the pods start without a proxy, read from the webhook (high)', () => {
    const v = verdict(scene(webhook('failurePolicy: Ignore')), 'api');
    expect([v.status, v.severity]).toEqual(['fail', undefined]);
    expect(v.message).toContain('run without a mesh proxy');
    expect(v.message).toContain('MutatingWebhookConfiguration linkerd-proxy-injector-webhook-config has failurePolicy Ignore, so the pod starts without a proxy');
  });

  it('failurePolicy unset in admissionregistration.k8s.io/v1 is Fail (the API\'s default)', () => {
    expect(verdict(scene(webhook('')), 'api').message).toContain('has failurePolicy Fail');
  });

  it('the webhook not in the input, or its kind unreadable: the text says the outcome turns on the failurePolicy, which was not read', () => {
    const absent = verdict(scene(''), 'api');
    expect(absent.message).toContain("the pod then starts without a proxy if the webhook's failurePolicy is Ignore (the chart's default), or is refused if it is Fail, and that was not read (no MutatingWebhookConfiguration of Linkerd's proxy injector is in the input)");
    const forbidden = verdict(scene(webhook('failurePolicy: Fail')), 'api', true);
    expect(forbidden.message).toContain('and that was not read (MutatingWebhookConfigurations could not be read (forbidden))');
  });

  it('a running pod without a proxy keeps running as it was; its reason no longer says a restart meshes it', () => {
    const fail = verdict(scene(webhook('failurePolicy: Fail')), 'old-0');
    expect(fail.status).toBe('fail');
    expect(fail.message).toContain('no linkerd-proxy container although namespace annotation linkerd.io/inject=enabled; restarting it will not mesh it: the values in ConfigMap linkerd/linkerd-config have no proxyInit, so the proxy injector\'s webhook call fails and the API server refuses the new pod (failurePolicy Fail)');
    expect(fail.message).not.toContain('(restart the pod)');
    expect(verdict(scene(webhook('failurePolicy: Ignore')), 'old-0').message).toContain('the new pod starts without a proxy (failurePolicy Ignore)');
  });
});

// ztaudit reads admissionregistration.k8s.io/v1beta1 MutatingWebhookConfigurations from manifests
// (src/snapshot/kinds.ts: served until v1.22, so refused only when --cluster-version says 1.22 or
// later). An unset failurePolicy there defaults to Ignore, not v1's Fail: k8s.io/api
// admissionregistration/v1beta1/types.go (kubernetes-1.21.0) MutatingWebhook.FailurePolicy
// "Defaults to Ignore", against admissionregistration/v1/types.go "Defaults to Fail".
describe('Linkerd: a v1beta1 proxy-injector webhook read from manifests', () => {
  const dirs: string[] = [];
  afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
  const fromManifests = (yaml: string, clusterVersion?: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'ztaudit-linkerd-v1beta1-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'all.yaml'), yaml);
    const ctx = { snapshot: loadManifests([dir], { clusterName: 'c1', clusterVersion }), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
    return run(workloadOutsideMesh, ctx).find((v) => v.resource.name === 'api')!;
  };
  const v1beta1 = webhook('').replace('admissionregistration.k8s.io/v1', 'admissionregistration.k8s.io/v1beta1');

  it('failurePolicy unset is Ignore: the pods start without a proxy (high), not refused as v1\'s default would have it', () => {
    for (const version of [undefined, '1.21']) {
      const v = fromManifests(scene(v1beta1), version);
      expect([v.status, v.severity]).toEqual(['fail', undefined]);
      expect(v.message).toContain('MutatingWebhookConfiguration linkerd-proxy-injector-webhook-config has failurePolicy Ignore, so the pod starts without a proxy');
      expect(v.message).not.toContain('cannot start');
    }
    // The same object at admissionregistration.k8s.io/v1: Fail.
    expect(fromManifests(scene(webhook(''))).message).toContain('its pods cannot start');
  });

  it('v1beta1 with failurePolicy Fail written out is Fail', () => {
    const fail = webhook('failurePolicy: Fail').replace('admissionregistration.k8s.io/v1', 'admissionregistration.k8s.io/v1beta1');
    expect(fromManifests(scene(fail), '1.21').message).toContain('its pods cannot start');
  });
});
