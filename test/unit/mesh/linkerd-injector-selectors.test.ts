// Which pods a failing Linkerd proxy injector is called for: the namespaceSelector and
// objectSelector of its webhook, evaluated as the API server does. A pod the webhook is not
// called for is admitted as it is, without a proxy: failurePolicy applies only to a webhook the
// API server calls (k8s.io/api v0.21.0 admissionregistration/v1/types.go, MutatingWebhook:
// "objectSelector is evaluated against both the oldObject and newObject that would be sent to the
// webhook, and is considered to match if either object matches the selector"; namespaceSelector
// on the labels of the object's namespace; both "Default to the empty LabelSelector, which matches
// everything"; https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#matching-requests-objectselector).
// Upstream chart (linkerd2 stable-2.14.10 and edge-26.3.2,
// charts/linkerd-control-plane/templates/proxy-injector-rbac.yaml writes both from values.yaml):
//   namespaceSelector: config.linkerd.io/admission-webhooks NotIn [disabled],
//                      kubernetes.io/metadata.name NotIn [kube-system, cert-manager]
//   objectSelector: linkerd.io/control-plane-component DoesNotExist, linkerd.io/cni-resource DoesNotExist
// (stable-2.10.0 charts/linkerd2/values.yaml has the first namespace expression only and no objectSelector.)
// The injector fails on every pod it is called for when linkerd-config's values hold no proxyInit
// (linkerd-injector-failure-policy.test.ts).
// Before: every template asking for injection was "refused" under Fail, a pod the webhook never
// sees included (and a pod labelled linkerd.io/control-plane-component, which starts unmeshed,
// was said not to start at all); the webhook's selectors were not read.
import { describe, expect, it } from 'vitest';
import { workloadOutsideMesh } from '../../../checks/mtls/workload-outside-mesh.ts';
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
const CHART_SELECTORS = `namespaceSelector:
    matchExpressions:
    - {key: config.linkerd.io/admission-webhooks, operator: NotIn, values: [disabled]}
    - {key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system, cert-manager]}
  objectSelector:
    matchExpressions:
    - {key: linkerd.io/control-plane-component, operator: DoesNotExist}
    - {key: linkerd.io/cni-resource, operator: DoesNotExist}`;
const webhook = (selectors: string) => `
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: linkerd-proxy-injector-webhook-config, labels: {linkerd.io/control-plane-component: proxy-injector}}
webhooks:
- name: linkerd-proxy-injector.linkerd.io
  ${selectors}
  clientConfig: {service: {name: linkerd-proxy-injector, namespace: linkerd, path: /}}
  failurePolicy: Fail
  sideEffects: None
  rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods, services]}]
  admissionReviewVersions: [v1]
---`;
const namespace = (name: string, labels = '{}') => `
apiVersion: v1
kind: Namespace
metadata: {name: ${name}, labels: ${labels}, annotations: {linkerd.io/inject: enabled}}
---`;
const deployment = (ns: string, name: string, labels = '') => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}${labels}}}
    spec:
      containers: [{name: ${name}, image: example/${name}:1}]
---`;
const verdictOf = (y: string, name: string) => run(workloadOutsideMesh, ctxOf(`${NO_PROXY_INIT}${y}`)).find((v) => v.resource.name === name)!;
const refused = (v: { message: string; severity?: string }) => v.severity === 'low' && v.message.includes('its pods cannot start');

describe('Linkerd: a Fail proxy-injector webhook refuses only the pods it is called for', () => {
  it('the chart\'s objectSelector: a pod labelled linkerd.io/control-plane-component or linkerd.io/cni-resource starts unmeshed, not refused', () => {
    const y = `${webhook(CHART_SELECTORS)}${namespace('shop')}${deployment('shop', 'api')}${deployment('shop', 'agent', ', linkerd.io/control-plane-component: agent')}${deployment('shop', 'cni', ', linkerd.io/cni-resource: "true"')}`;
    expect(refused(verdictOf(y, 'api'))).toBe(true);
    for (const name of ['agent', 'cni']) {
      const v = verdictOf(y, name);
      expect([v.status, v.severity]).toEqual(['fail', undefined]);
      expect(v.message).toContain('run without a mesh proxy');
      expect(v.message).toContain("the Linkerd proxy injector's objectSelector excludes this pod (MutatingWebhookConfiguration linkerd-proxy-injector-webhook-config webhook linkerd-proxy-injector.linkerd.io: !linkerd.io/cni-resource,!linkerd.io/control-plane-component), so namespace annotation linkerd.io/inject=enabled is never acted on");
      expect(v.message).not.toContain('cannot start');
    }
  });

  it('the webhook\'s own namespaceSelector decides, kubernetes.io/metadata.name included: NotIn [disabled] on the namespace label, In on its name', () => {
    const off = `${webhook(CHART_SELECTORS)}${namespace('shop', '{config.linkerd.io/admission-webhooks: disabled}')}${deployment('shop', 'api')}`;
    const v = verdictOf(off, 'api');
    expect([v.status, v.severity]).toEqual(['fail', undefined]);
    expect(v.message).toContain("the Linkerd proxy injector's namespaceSelector excludes this namespace (MutatingWebhookConfiguration linkerd-proxy-injector-webhook-config webhook linkerd-proxy-injector.linkerd.io: config.linkerd.io/admission-webhooks notin (disabled),kubernetes.io/metadata.name notin (cert-manager,kube-system))");
    // A selector naming namespaces by kubernetes.io/metadata.name, which the Namespace objects do not carry themselves.
    const byName = webhook('namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [shop]}]}');
    const y = `${byName}${namespace('shop')}${namespace('blog')}${deployment('shop', 'api')}${deployment('blog', 'web')}`;
    expect(refused(verdictOf(y, 'api'))).toBe(true);
    expect(verdictOf(y, 'web').message).toContain("namespaceSelector excludes this namespace (MutatingWebhookConfiguration linkerd-proxy-injector-webhook-config webhook linkerd-proxy-injector.linkerd.io: kubernetes.io/metadata.name in (shop))");
  });

  it('matchLabels and In / NotIn / Exists / DoesNotExist on the pod\'s labels, all of them required', () => {
    const sel = webhook('objectSelector: {matchLabels: {inject: "yes"}, matchExpressions: [{key: tier, operator: In, values: [web, api]}, {key: legacy, operator: NotIn, values: ["true"]}, {key: team, operator: Exists}, {key: skip, operator: DoesNotExist}]}');
    const y = `${sel}${namespace('shop')}`
      + deployment('shop', 'yes', ', inject: "yes", tier: api, team: a, legacy: "false"')
      + deployment('shop', 'nolabel', ', tier: api, team: a')
      + deployment('shop', 'othertier', ', inject: "yes", tier: db, team: a')
      + deployment('shop', 'legacy', ', inject: "yes", tier: api, team: a, legacy: "true"')
      + deployment('shop', 'noteam', ', inject: "yes", tier: web')
      + deployment('shop', 'skipped', ', inject: "yes", tier: web, team: a, skip: ""');
    expect(refused(verdictOf(y, 'yes'))).toBe(true);
    for (const name of ['nolabel', 'othertier', 'legacy', 'noteam', 'skipped']) {
      const v = verdictOf(y, name);
      expect(refused(v), name).toBe(false);
      expect(v.message, name).toContain("objectSelector excludes this pod");
    }
  });

  it('a selector that cannot be read: not refused, the reason saying whether the webhook is called cannot be told', () => {
    const v = verdictOf(`${webhook('objectSelector: {matchExpressions: [{key: team, operator: Maybe}]}')}${namespace('shop')}${deployment('shop', 'api')}`, 'api');
    expect(refused(v)).toBe(false);
    expect(v.message).toContain('if it is called for the pod, which is not known (MutatingWebhookConfiguration linkerd-proxy-injector-webhook-config webhook linkerd-proxy-injector.linkerd.io has a selector that cannot be read (objectSelector.matchExpressions[0].operator: "Maybe" is not In, NotIn, Exists or DoesNotExist))');
  });

  it('a running pod without a proxy that the webhook never sees: re-created, it starts without one, not refused', () => {
    const pod = (name: string, labels: string) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: shop, labels: {app: ${name}${labels}}}
spec:
  containers: [{name: ${name}, image: example/${name}:1}]
---`;
    const y = `${webhook(CHART_SELECTORS)}${namespace('shop')}${pod('old-0', '')}${pod('agent-0', ', linkerd.io/control-plane-component: agent')}`;
    expect(verdictOf(y, 'old-0').message).toContain('the API server refuses the new pod (failurePolicy Fail)');
    const agent = verdictOf(y, 'agent-0').message;
    expect(agent).toContain("restarting it will not mesh it: the Linkerd proxy injector's objectSelector excludes this pod (MutatingWebhookConfiguration linkerd-proxy-injector-webhook-config webhook linkerd-proxy-injector.linkerd.io: !linkerd.io/cni-resource,!linkerd.io/control-plane-component), so the new pod starts without a proxy");
    expect(agent).not.toContain('refuses');
  });
});
