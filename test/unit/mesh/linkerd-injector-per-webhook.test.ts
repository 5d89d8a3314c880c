// A failing Linkerd proxy injector with several webhooks: the API server decides webhook by
// webhook. Each MutatingWebhook has its own failurePolicy, namespaceSelector and objectSelector
// (k8s.io/api v0.21.0 admissionregistration/v1/types.go, MutatingWebhook: "ObjectSelector decides
// whether to run the webhook based on if the object has matching labels"), and the failure policy
// applies only to a webhook the API server calls
// (https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#failure-policy).
// So a pod is refused only when a webhook called for it has failurePolicy Fail; when every webhook
// called for it has Ignore it starts without a proxy; when a Fail webhook's selectors (or its
// entry) cannot be read, whether it is refused is not known.
// Before: the failurePolicies of all the injector's webhooks were merged ("any webhook failing
// closed refuses the pod") while calling was asked of any webhook, so a pod only an Ignore webhook
// is called for was "refused" (posture refused, reach UNKNOWN exit 2), and a webhook entry that is
// no object (`- "junk"`) matched every pod with a certain refusal.
import { describe, expect, it } from 'vitest';
import { workloadOutsideMesh } from '../../../checks/mtls/workload-outside-mesh.ts';
import { CHECKS } from '../../../checks/index.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runDetails } from '../../../src/analysis/details.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { ctxOf, objects, run } from './helpers.ts';

const NO_PROXY_INIT = `
apiVersion: v1
kind: ConfigMap
metadata: {name: linkerd-config, namespace: linkerd}
data:
  values: |
    proxy:
      defaultInboundPolicy: all-unauthenticated
---`;
const config = (name: string, hooks: string) => `
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: ${name}, labels: {linkerd.io/control-plane-component: proxy-injector}}
webhooks:
${hooks}
---`;
const hook = (name: string, policy: string, selectors = '') => `- name: ${name}
  clientConfig: {service: {name: linkerd-proxy-injector, namespace: linkerd, path: /}}
  failurePolicy: ${policy}
  sideEffects: None
  rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods, services]}]
  admissionReviewVersions: [v1]${selectors ? `\n  ${selectors}` : ''}`;
const STRICT_ONLY = 'objectSelector: {matchLabels: {strict: "true"}}';
const APP = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: tools}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template: {metadata: {labels: {app: api}}, spec: {containers: [{name: api, image: example/api:1, ports: [{containerPort: 8080}]}]}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: strict, namespace: shop}
spec:
  selector: {matchLabels: {app: strict}}
  template: {metadata: {labels: {app: strict, strict: "true"}}, spec: {containers: [{name: strict, image: example/strict:1}]}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: admin, namespace: tools}
spec:
  selector: {matchLabels: {app: admin}}
  template: {metadata: {labels: {app: admin}}, spec: {containers: [{name: admin, image: example/admin:1}]}}
---`;
const verdictOf = (y: string, name: string) => run(workloadOutsideMesh, ctxOf(`${NO_PROXY_INIT}${y}${APP}`)).find((v) => v.resource.name === name)!;
const refused = (v: { message: string; severity?: string }) => v.severity === 'low' && v.message.includes('its pods cannot start');
const at = new Date('2026-06-01T00:00:00Z');
const postureOf = (y: string, name: string) => {
  const report = auditSnapshot({ snapshot: snapshotFromObjects(objects(`${NO_PROXY_INIT}${y}${APP}`)), config: defaultConfig(), checks: CHECKS, now: at, startedAt: at, runId: 'run-1', details: runDetails }).report;
  return report.details.mtls!.workloads.find((w) => w.workload.name === name)!;
};

// Two configurations: Ignore for every pod; Fail only for pods labelled strict=true (the reviewer's scene).
const TWO_CONFIGS = config('linkerd-proxy-injector-webhook-config', hook('linkerd-proxy-injector.linkerd.io', 'Ignore'))
  + config('linkerd-proxy-injector-strict', hook('linkerd-proxy-injector-strict.linkerd.io', 'Fail', STRICT_ONLY));
// The same two webhooks inside one configuration.
const ONE_CONFIG = config('linkerd-proxy-injector-webhook-config', `${hook('linkerd-proxy-injector.linkerd.io', 'Ignore')}\n${hook('strict.linkerd.io', 'Fail', STRICT_ONLY)}`);

describe('Linkerd: a failing injector\'s failurePolicy is decided per webhook, for the webhooks called for the pod', () => {
  for (const [label, y, failing] of [['two configurations', TWO_CONFIGS, 'linkerd-proxy-injector-strict'], ['one configuration with two webhooks', ONE_CONFIG, 'linkerd-proxy-injector-webhook-config']] as const) {
    it(`${label}: the pod only the Ignore webhook is called for starts without a proxy; the pod the Fail webhook is called for is refused`, () => {
      const api = verdictOf(y, 'api');
      expect(refused(api)).toBe(false);
      expect(api.severity).toBeUndefined();
      expect(api.message).toContain('MutatingWebhookConfiguration linkerd-proxy-injector-webhook-config has failurePolicy Ignore, so the pod starts without a proxy');
      expect(api.message).not.toContain('refuses');
      const strict = verdictOf(y, 'strict');
      expect(refused(strict)).toBe(true);
      expect(strict.message).toContain(`MutatingWebhookConfiguration ${failing} has failurePolicy Fail, so the API server refuses to create the pod`);
      expect(postureOf(y, 'api')).toMatchObject({ mode: 'none', posture: 'outside' });
      expect(postureOf(y, 'strict')).toMatchObject({ mode: 'refused', posture: 'refused' });
    });
  }

  it('reach: a call to the pod only the Ignore webhook is called for is a plaintext ALLOWED (exit 0), not UNKNOWN "cannot start"', () => {
    const snapshot = snapshotFromObjects(objects(`${NO_PROXY_INIT}${TWO_CONFIGS}${APP}`));
    const r = reachCommandCore(snapshot, { from: 'tools/admin', to: 'shop/api', port: '8080' });
    expect(r.output).toContain('ALLOWED: tools/admin[Deployment] -> shop/api[Deployment] on 8080/TCP');
    expect(r.output).toContain('shop/api is not in a service mesh');
    expect(r.output).not.toContain('cannot start');
    expect(r.exitCode).toBe(0);
  });

  it('a Fail webhook whose selector cannot be read, beside an Ignore one: not refused, and said not to be known', () => {
    const y = config('linkerd-proxy-injector-webhook-config', `${hook('linkerd-proxy-injector.linkerd.io', 'Ignore')}\n${hook('strict.linkerd.io', 'Fail', 'objectSelector: {matchExpressions: [{key: strict, operator: Maybe}]}')}`);
    const v = verdictOf(y, 'api');
    expect(refused(v)).toBe(false);
    expect(v.message).toContain('which is not known (MutatingWebhookConfiguration linkerd-proxy-injector-webhook-config webhook strict.linkerd.io has a selector that cannot be read');
    expect(v.message).not.toContain('has failurePolicy Ignore, so the pod starts without a proxy');
  });

  it('an Ignore webhook whose selector cannot be read, alone: the pod starts without a proxy whether it is called or not', () => {
    const y = config('linkerd-proxy-injector-webhook-config', hook('linkerd-proxy-injector.linkerd.io', 'Ignore', 'objectSelector: {matchExpressions: [{key: strict, operator: Maybe}]}'));
    const v = verdictOf(y, 'api');
    expect(refused(v)).toBe(false);
    expect(v.message).toContain('MutatingWebhookConfiguration linkerd-proxy-injector-webhook-config has failurePolicy Ignore, so the pod starts without a proxy');
  });

  for (const junk of ['"junk"', 'null', '7']) {
    it(`a webhook entry that is no object (- ${junk}) beside an Ignore webhook is unreadable: not a certain refusal`, () => {
      const y = config('linkerd-proxy-injector-webhook-config', `${hook('linkerd-proxy-injector.linkerd.io', 'Ignore')}\n- ${junk}`);
      const v = verdictOf(y, 'api');
      expect(refused(v)).toBe(false);
      expect(v.message).toContain('which is not known (MutatingWebhookConfiguration linkerd-proxy-injector-webhook-config webhook [1] cannot be read (the webhook entry is not an object))');
      expect(postureOf(y, 'api')).toMatchObject({ posture: 'outside' });
    });
  }
});
