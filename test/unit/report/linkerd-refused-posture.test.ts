// A workload whose pods the API server refuses to create (Linkerd's proxy injector fails on them
// and its webhook's failurePolicy is Fail: linkerd-injector-failure-policy.test.ts has the upstream
// sources, linkerd2 stable-2.14.10 pkg/inject/inject.go injectProxyInit and
// charts/linkerd-control-plane/templates/proxy-injector-rbac.yaml `failurePolicy:
// {{.Values.webhookFailurePolicy}}`; Kubernetes: "Fail means that an error calling the webhook
// causes the admission to fail and the API request to be rejected",
// https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#failure-policy)
// runs neither in the mesh nor outside it. mtls.workload-outside-mesh says so; the posture
// (report.json details.mtls, the HTML) and `reach` now say the same.
// Before: posture "outside" / mode "none" with nothing said, and `reach` answered the call
// ALLOWED in plaintext, "not in a service mesh".
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { renderHtml } from '../../../src/report/html.ts';
import { runDetails } from '../../../src/analysis/details.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { objects } from '../mesh/helpers.ts';

// A name with markup and a line break: the reason carries the webhook's name (docs/hostile-text.md).
const HOOK = 'linkerd-proxy-injector-webhook-config';
const YAML = (hook = HOOK) => `
apiVersion: v1
kind: ConfigMap
metadata: {name: linkerd-config, namespace: linkerd}
data:
  values: |
    proxy:
      defaultInboundPolicy: all-unauthenticated
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: ${JSON.stringify(hook)}, labels: {linkerd.io/control-plane-component: proxy-injector}}
webhooks:
- name: linkerd-proxy-injector.linkerd.io
  clientConfig: {service: {name: linkerd-proxy-injector, namespace: linkerd, path: /}}
  failurePolicy: Fail
  sideEffects: None
  rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods, services]}]
  admissionReviewVersions: [v1]
---
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
metadata: {name: admin, namespace: tools}
spec:
  selector: {matchLabels: {app: admin}}
  template: {metadata: {labels: {app: admin}}, spec: {containers: [{name: admin, image: example/admin:1}]}}
---
apiVersion: v1
kind: Pod
metadata: {name: old-0, namespace: shop, labels: {app: old}}
spec:
  containers: [{name: old, image: example/old:1}]
`;
const at = new Date('2026-06-01T00:00:00Z');
const reportOf = (y: string) => auditSnapshot({ snapshot: snapshotFromObjects(objects(y)), config: defaultConfig(), checks: CHECKS, now: at, startedAt: at, runId: 'run-1', details: runDetails }).report;
const REFUSED = `namespace annotation linkerd.io/inject=enabled, but Linkerd's proxy injector cannot inject it: the values in ConfigMap linkerd/linkerd-config have no proxyInit, which the injector dereferences, so its webhook call fails, and MutatingWebhookConfiguration ${HOOK} has failurePolicy Fail, so the API server refuses to create the pod: new pods fail to start (pods already running keep running as they were)`;

describe('Linkerd: pods the API server refuses, in the posture and in reach as in the check', () => {
  const report = reportOf(YAML());
  const byName = new Map(report.details.mtls!.workloads.map((w) => [w.workload.name, w]));

  it('report.json: posture refused (mode refused) with the check\'s reason; a running pod that would be refused if re-created stays outside, with the reason', () => {
    expect(byName.get('api')).toEqual({ workload: { kind: 'Deployment', namespace: 'shop', name: 'api' }, mesh: 'none', mode: 'refused', posture: 'refused', refused: REFUSED });
    const finding = report.findings.find((f) => f.check === 'mtls.workload-outside-mesh' && f.resource.name === 'api')!;
    expect(finding.message).toContain(REFUSED);
    expect(byName.get('old-0')).toMatchObject({ mesh: 'none', mode: 'none', posture: 'outside' });
    expect(byName.get('old-0')!.refused).toContain('restarting it will not mesh it: the values in ConfigMap linkerd/linkerd-config have no proxyInit, so the proxy injector\'s webhook call fails and the API server refuses the new pod (failurePolicy Fail)');
    // A workload no one asked to mesh is plainly outside.
    expect(byName.get('admin')).toEqual({ workload: { kind: 'Deployment', namespace: 'tools', name: 'admin' }, mesh: 'none', mode: 'none', posture: 'outside' });
  });

  it('report.json is valid against schemas/report.schema.json, which names the new posture', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    (addFormatsModule as unknown as (a: Ajv2020) => Ajv2020)(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(new URL('../../../schemas/report.schema.json', import.meta.url), 'utf8')));
    validate(JSON.parse(JSON.stringify(report)));
    expect(validate.errors ?? []).toEqual([]);
  });

  it('HTML: a "cannot start (refused)" bar and row with the reason; the running pod\'s row says it would be refused if re-created; hostile names escaped', () => {
    const html = renderHtml(report, {}).replace(/<wbr>/g, '');
    const mtls = html.slice(html.indexOf('id="posture-mtls"'), html.indexOf('id="posture-callers"') > 0 ? html.indexOf('id="posture-callers"') : html.indexOf('id="posture-l4-without-l7"'));
    expect(mtls).toContain('<span data-mode="refused"><i class="m-none"></i>cannot start (refused) <b>1</b></span>');
    expect(mtls).toMatch(/<code>shop\/api<\/code><\/td><td data-label="Mesh">none<\/td><td data-label="Mode"><span class="mode m-none">cannot start \(refused\)<\/span><div class="mode-note">its pods cannot start: namespace annotation linkerd.io\/inject&#x3D;enabled, but Linkerd&#x27;s proxy injector cannot inject it/);
    expect(mtls).toContain('<div class="mode-note">re-created, its pods would be refused: no linkerd-proxy container although namespace annotation linkerd.io/inject&#x3D;enabled; restarting it will not mesh it');
    const hostile = renderHtml(reportOf(YAML('evil<script>x</script>')), {});
    expect(hostile).not.toContain('evil<script>');
    expect(hostile).toContain('evil&lt;script&gt;');
  });

  it('reach: a call to it is UNKNOWN (exit 2), the mesh saying its pods cannot start, in text and JSON; the effective matrix says so in its mesh column', () => {
    const snapshot = snapshotFromObjects(objects(YAML()));
    const text = reachCommandCore(snapshot, { from: 'tools/admin', to: 'shop/api', port: '8080' });
    expect(text.exitCode).toBe(2);
    expect(text.output).toContain('UNKNOWN: tools/admin[Deployment] -> shop/api[Deployment] on 8080/TCP');
    expect(text.output).toContain(`mesh UNKNOWN: shop/api cannot start: ${REFUSED}; no pod of it runs, in the mesh or outside it`);
    expect(text.output).not.toContain('not in a service mesh');
    const json = JSON.parse(reachCommandCore(snapshot, { from: 'tools/admin', to: 'shop/api', port: '8080', output: 'json' }).output);
    expect([json.allowed, json.effective, json.mesh.verdict, json.mesh.plaintext]).toEqual([null, 'unknown', 'unknown', false]);
    // From it: no pod of it calls anyone either.
    expect(reachCommandCore(snapshot, { from: 'shop/api', to: 'tools/admin', port: '80' }).output).toContain('mesh UNKNOWN: shop/api cannot start');
    const matrix = reachCommandCore(snapshot, { matrix: true, effective: true }).output;
    expect(matrix).toMatch(/=> shop\/api\[Deployment\] : .*\[mesh none: its pods cannot start \(refused\)\]/);
  });
});
