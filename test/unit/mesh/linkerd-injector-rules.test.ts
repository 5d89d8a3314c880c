// Which pods Linkerd's proxy injector is called for, read whether the injector works or not:
// its webhook's rules, namespaceSelector and objectSelector, evaluated as the API server does.
//
// Upstream (Kubernetes v1.36.3; k8s.io/apiserver v0.36.3 = staging/src/k8s.io/apiserver):
// - pkg/admission/plugin/webhook/generic/webhook.go ShouldCallHook: a webhook is called only when
//   its namespaceSelector and objectSelector match and then one of its `rules` matches.
// - pkg/admission/plugin/webhook/predicates/rules/rules.go Matcher.Matches: scope (nil or "*": all;
//   "Namespaced": a namespaced object, so a pod; "Cluster": not a pod; any other value: false),
//   operations (the request's, CREATE, or "*"), apiGroups and apiVersions exactOrWildcard ("" / v1
//   or "*"), resources ("pods" or "*", with the subresource after "/" "*" or none).
// - A webhook not called leaves the pod as it is: no proxy, whatever its failurePolicy
//   (https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#matching-requests-rules).
// Linkerd's chart (linkerd2 charts/linkerd-control-plane/templates/proxy-injector-rbac.yaml at
// stable-2.14.10): rules operations [CREATE], apiGroups [""], apiVersions [v1], resources [pods,
// services]; namespaceSelector and objectSelector from proxyInjector.namespaceSelector /
// objectSelector in values.yaml.
// Before: the rules were not read (every webhook taken to cover pod CREATE), and the selectors were
// read only while the injector was broken; with a working injector the chart's default
// namespaceSelector stood in, also for a selector that could not be read.
import { describe, expect, it } from 'vitest';
import { workloadOutsideMesh } from '../../../checks/mtls/workload-outside-mesh.ts';
import { ctxOf, run } from './helpers.ts';

const WORKING = `
apiVersion: v1
kind: ConfigMap
metadata: {name: linkerd-config, namespace: linkerd}
data:
  values: |
    proxy:
      defaultInboundPolicy: all-unauthenticated
    proxyInit: {ignoreInboundPorts: "", ignoreOutboundPorts: ""}
---`;
// linkerd-config without proxyInit: the injector fails on every pod it is called for (linkerd-injector-failure-policy.test.ts).
const BROKEN = WORKING.replace('    proxyInit: {ignoreInboundPorts: "", ignoreOutboundPorts: ""}\n', '');
const CHART_RULES = 'rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods, services]}]';
const hook = (name: string, spec: string) => `
- name: ${name}
  ${spec}
  clientConfig: {service: {name: linkerd-proxy-injector, namespace: linkerd, path: /}}
  failurePolicy: Fail
  sideEffects: None
  admissionReviewVersions: [v1]`;
const webhook = (...hooks: string[]) => `
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: linkerd-proxy-injector-webhook-config, labels: {linkerd.io/control-plane-component: proxy-injector}}
webhooks:${hooks.length > 0 ? hooks.join('') : ' []'}
---`;
const namespace = (labels = '{}') => `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: ${labels}, annotations: {linkerd.io/inject: enabled}}
---`;
const API = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: example/api:1}]
---`;
const verdict = (y: string) => run(workloadOutsideMesh, ctxOf(y)).find((v) => v.resource.name === 'api')!;
const WHERE = 'MutatingWebhookConfiguration linkerd-proxy-injector-webhook-config webhook linkerd-proxy-injector.linkerd.io';

describe('Linkerd proxy injector: its rules must match pod CREATE', () => {
  it('the chart\'s rules, and wildcards the API server accepts, match: the workload is meshed', () => {
    for (const rules of [CHART_RULES,
      'rules: [{operations: ["*"], apiGroups: ["*"], apiVersions: ["*"], resources: ["*"]}]',
      'rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: ["*/*"], scope: "*"}]',
      'rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: ["pods/*"], scope: Namespaced}]',
      'rules: [{operations: [UPDATE], apiGroups: [""], apiVersions: [v1], resources: [pods]}, {operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods]}]']) {
      expect(verdict(`${WORKING}${webhook(hook('linkerd-proxy-injector.linkerd.io', rules))}${namespace()}${API}`).status, rules).toBe('pass');
    }
  });

  it('rules that match no pod CREATE: the injector is never called, the pods run without a proxy (was: meshed)', () => {
    const cases: Array<[string, string]> = [
      ['rules: [{operations: [UPDATE], apiGroups: [""], apiVersions: [v1], resources: [pods]}]', 'rules operations ["UPDATE"], apiGroups [""], apiVersions ["v1"], resources ["pods"]'],
      ['rules: [{operations: [CREATE], apiGroups: [apps], apiVersions: [v1], resources: [pods]}]', 'apiGroups ["apps"]'],
      ['rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1beta1], resources: [pods]}]', 'apiVersions ["v1beta1"]'],
      ['rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [services, pods/status]}]', 'resources ["services","pods/status"]'],
      ['rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods], scope: Cluster}]', 'scope "Cluster"'],
      ['rules: [{operations: [create], apiGroups: [""], apiVersions: [v1], resources: [Pods]}]', 'operations ["create"]'],
      ['rules: []', 'it has no rules'],
    ];
    for (const [rules, shown] of cases) {
      const v = verdict(`${WORKING}${webhook(hook('linkerd-proxy-injector.linkerd.io', rules))}${namespace()}${API}`);
      expect([v.status, v.severity], rules).toEqual(['fail', undefined]);
      expect(v.message, rules).toContain(`the Linkerd proxy injector's rules match no pod CREATE (${WHERE}: `);
      expect(v.message, rules).toContain(shown);
      expect(v.message, rules).toContain('so namespace annotation linkerd.io/inject=enabled is never acted on');
    }
  });

  it('with several webhooks, one whose rules match is enough', () => {
    const y = `${WORKING}${webhook(hook('a.linkerd.io', 'rules: [{operations: [UPDATE], apiGroups: [""], apiVersions: [v1], resources: [pods]}]'), hook('linkerd-proxy-injector.linkerd.io', CHART_RULES))}${namespace()}${API}`;
    expect(verdict(y).status).toBe('pass');
  });

  it('a failing injector whose Fail webhook matches no pod CREATE does not refuse the pods: they start without a proxy (was: refused)', () => {
    const v = verdict(`${BROKEN}${webhook(hook('linkerd-proxy-injector.linkerd.io', 'rules: [{operations: [UPDATE], apiGroups: [""], apiVersions: [v1], resources: [pods]}]'))}${namespace()}${API}`);
    expect([v.status, v.severity]).toEqual(['fail', undefined]);
    expect(v.message).not.toContain('cannot start');
    expect(v.message).toContain("the Linkerd proxy injector's rules match no pod CREATE");
    // The same webhook with the chart's rules refuses them.
    const refused = verdict(`${BROKEN}${webhook(hook('linkerd-proxy-injector.linkerd.io', CHART_RULES))}${namespace()}${API}`);
    expect([refused.status, refused.severity]).toEqual(['fail', 'low']);
  });

  it('matchConditions, or rules not of the API\'s shape, cannot be judged: "cannot be confirmed", not meshed', () => {
    for (const [spec, why] of [
      [`${CHART_RULES}\n  matchConditions: [{name: only-some, expression: "object.metadata.name != 'api'"}]`, 'its matchConditions (CEL expressions) are not evaluated here'],
      ['rules: {operations: [CREATE]}', 'rules is not a list'],
    ]) {
      const v = verdict(`${WORKING}${webhook(hook('linkerd-proxy-injector.linkerd.io', spec))}${namespace()}${API}`);
      expect([v.status, v.severity], spec).toEqual(['fail', 'medium']);
      expect(v.message, spec).toContain(`whether 1 of 1 pod(s) run with a mesh proxy cannot be confirmed`);
      expect(v.message, spec).toContain(`whether ${WHERE} is called for pods cannot be judged (${why})`);
    }
  });
});

describe('Linkerd proxy injector: its selectors are read while it works too', () => {
  it('a namespaceSelector or objectSelector of its own that leaves the workload out: no proxy (was: meshed, the chart\'s default selector assumed)', () => {
    const ns = verdict(`${WORKING}${webhook(hook('linkerd-proxy-injector.linkerd.io', `${CHART_RULES}\n  namespaceSelector: {matchLabels: {mesh: "on"}}`))}${namespace()}${API}`);
    expect([ns.status, ns.severity]).toEqual(['fail', undefined]);
    expect(ns.message).toContain(`the Linkerd proxy injector's namespaceSelector excludes this namespace (${WHERE}: mesh in (on)), so namespace annotation linkerd.io/inject=enabled is never acted on`);
    const ob = verdict(`${WORKING}${webhook(hook('linkerd-proxy-injector.linkerd.io', `${CHART_RULES}\n  objectSelector: {matchExpressions: [{key: app, operator: NotIn, values: [api]}]}`))}${namespace()}${API}`);
    expect([ob.status, ob.severity]).toEqual(['fail', undefined]);
    expect(ob.message).toContain(`the Linkerd proxy injector's objectSelector excludes this pod (${WHERE}: app notin (api))`);
    // The same namespace labelled as the selector asks: meshed.
    expect(verdict(`${WORKING}${webhook(hook('linkerd-proxy-injector.linkerd.io', `${CHART_RULES}\n  namespaceSelector: {matchLabels: {mesh: "on"}}`))}${namespace('{mesh: "on"}')}${API}`).status).toBe('pass');
  });

  it('a webhook selecting every namespace injects one labelled config.linkerd.io/admission-webhooks: disabled (was: not injected by the chart\'s default)', () => {
    expect(verdict(`${WORKING}${webhook(hook('linkerd-proxy-injector.linkerd.io', CHART_RULES))}${namespace('{config.linkerd.io/admission-webhooks: disabled}')}${API}`).status).toBe('pass');
  });

  it('a selector that cannot be read: "cannot be confirmed" (medium), neither meshed nor the chart\'s default (was: judged by the chart\'s default selector)', () => {
    const bad = `${CHART_RULES}\n  objectSelector: {matchExpressions: [{key: team, operator: Maybe}]}`;
    for (const labels of ['{}', '{config.linkerd.io/admission-webhooks: disabled}']) {
      const v = verdict(`${WORKING}${webhook(hook('linkerd-proxy-injector.linkerd.io', bad))}${namespace(labels)}${API}`);
      expect([v.status, v.severity], labels).toEqual(['fail', 'medium']);
      expect(v.message, labels).toBe(`Deployment shop/api: whether 1 of 1 pod(s) run with a mesh proxy cannot be confirmed although the namespace is meant to be meshed (namespace annotated linkerd.io/inject): namespace annotation linkerd.io/inject=enabled, but whether Linkerd's proxy injector is called for the pod is not known (${WHERE} has a selector that cannot be read (objectSelector.matchExpressions[0].operator: "Maybe" is not In, NotIn, Exists or DoesNotExist)).`);
      expect(v.evidence?.unconfirmed).toBeDefined();
    }
  });

  it('a running pod without a proxy that the webhook leaves out: restarting it will not mesh it (was: "restart the pod")', () => {
    const pod = `
apiVersion: v1
kind: Pod
metadata: {name: old-0, namespace: shop, labels: {app: old}}
spec:
  containers: [{name: old, image: example/old:1}]
---`;
    const run1 = run(workloadOutsideMesh, ctxOf(`${WORKING}${webhook(hook('linkerd-proxy-injector.linkerd.io', `${CHART_RULES}\n  namespaceSelector: {matchLabels: {mesh: "on"}}`))}${namespace()}${pod}`)).find((v) => v.resource.name === 'old-0')!;
    expect(run1.message).toContain(`no linkerd-proxy container although namespace annotation linkerd.io/inject=enabled; restarting it will not mesh it: the Linkerd proxy injector's namespaceSelector excludes this namespace (${WHERE}: mesh in (on)), so the new pod starts without a proxy`);
    expect(run1.message).not.toContain('restart the pod');
  });
});
