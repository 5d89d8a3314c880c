// A Gateway listener's allowedRoutes.namespaces `from: Selector` selects route namespaces by their
// labels (RouteNamespaces, https://gateway-api.sigs.k8s.io/reference/spec/#routenamespaces). A
// manifests directory that uses a namespace without a Namespace object does not say what its
// labels are, except kubernetes.io/metadata.name, which the API server sets to the namespace's
// name on every namespace
// (https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetes-io-metadata-name).
// Whether such a listener admits a route there is unknown: the checks reading the attachment give
// no verdict and say why, instead of judging the route attached (or not) from labels taken as empty.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { edgeRoutes } from '../../../src/analysis/edge/routes.ts';
import { admitsNamespace } from '../../../src/analysis/edge/listener-sets.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';
import { exposedWorkload } from '../../../checks/network/exposed-workload.ts';
import { edgeAuthMissing } from '../../../checks/tls/edge-auth-missing.ts';
import type { Check } from '../../../src/engine/types.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import { workloadYaml } from '../../helpers/workload.ts';
import { auditObjects } from '../report/fixtures.ts';
import { runDetails } from '../../../src/analysis/details.ts';
import { postureOf } from '../../../src/report/view/posture.ts';
import type { RunReport } from '../../../src/run/types.ts';

const snap = (yaml: string) => snapshotFromObjects(parseManifestText(yaml, 'test.yaml').objects, { clusterVersion: 'v1.36.3' });
/** The check's verdicts (passes keep their listener and message, which the runner drops) and its coverage note. */
const run = (check: Check, yaml: string) => {
  const ctx = { snapshot: snap(yaml), config: defaultConfig(), now: new Date('2026-11-26T00:00:00Z') };
  const [outcome] = runChecks([check], ctx);
  expect(outcome.status, outcome.reason).not.toBe('error');
  return { results: [...check.evaluate(ctx)], excluded: outcome.excluded };
};

/** A Gateway whose HTTP listener admits routes of the namespaces `selector` picks, an HTTPRoute in `apps` forwarding there to a Service with pods, and the Envoy Gateway proxy. */
const setup = (selector: string, appsNamespace = '') => `${appsNamespace}---
apiVersion: v1
kind: Namespace
metadata: {name: infra}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: eg
  listeners:
    - {name: http, protocol: HTTP, port: 80, hostname: "*.example.com", allowedRoutes: {namespaces: {from: Selector, selector: ${selector}}}}
    - {name: https, protocol: HTTPS, port: 443, hostname: "*.example.com", tls: {certificateRefs: [{name: c}]}}
---
${workloadYaml('envoy-gateway-system', 'envoy-infra-public', { selector: { 'app.kubernetes.io/name': 'envoy' }, labels: { 'app.kubernetes.io/name': 'envoy', 'gateway.envoyproxy.io/owning-gateway-name': 'public', 'gateway.envoyproxy.io/owning-gateway-namespace': 'infra' }, container: { name: 'envoy', image: 'envoy:1' } })}
---
${workloadYaml('apps', 'api', { selector: { app: 'api' }, labels: { app: 'api' }, container: { name: 'c', image: 'app:1' }, ports: [{ name: 'http', containerPort: 8080 }] })}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: apps}
spec: {selector: {app: api}, ports: [{name: http, port: 80, targetPort: http}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: apps}
spec:
  parentRefs: [{name: public, namespace: infra, sectionName: http}]
  hostnames: [app.example.com]
  rules: [{backendRefs: [{name: api, port: 80}]}]
`;
const TEAM_A = '{matchLabels: {team: a}}';
const NOT_PROD = '{matchExpressions: [{key: env, operator: NotIn, values: [prod]}]}';
const declared = (labels: string) => `---\napiVersion: v1\nkind: Namespace\nmetadata: {name: apps, labels: ${labels}}\n`;
const listenerHttp = (results: Verdict[]) => results.filter((r) => r.resource.kind === 'Gateway' && r.detailKey === 'listener/http');

describe('admitsNamespace: a selector over an undeclared namespace (labels undefined)', () => {
  it.each([
    ['a label other than kubernetes.io/metadata.name', { matchLabels: { team: 'a' } }, 'unknown'],
    ['NotIn on another label', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, 'unknown'],
    ['DoesNotExist on another label', { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, 'unknown'],
    ['only kubernetes.io/metadata.name, matching', { matchLabels: { 'kubernetes.io/metadata.name': 'apps' } }, true],
    ['only kubernetes.io/metadata.name, not matching', { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['web'] }] }, false],
    ['a name requirement that refuses it, ANDed with another label', { matchLabels: { 'kubernetes.io/metadata.name': 'web', team: 'a' } }, false],
    ['a name requirement that admits it, ANDed with another label', { matchLabels: { 'kubernetes.io/metadata.name': 'apps', team: 'a' } }, 'unknown'],
    ['the empty selector (every namespace)', {}, true],
  ])('%s', (_name, selector, expected) => {
    expect(admitsNamespace(selector, 'apps', undefined)).toBe(expected);
  });

  it('a declared namespace is judged on its labels', () => {
    expect(admitsNamespace({ matchLabels: { team: 'a' } }, 'apps', { 'kubernetes.io/metadata.name': 'apps', team: 'a' })).toBe(true);
    expect(admitsNamespace({ matchLabels: { team: 'a' } }, 'apps', { 'kubernetes.io/metadata.name': 'apps' })).toBe(false);
  });
});

describe('--manifests: a from: Selector listener and a route in a namespace no manifest declares', () => {
  it('the route is read with its attachment unknown, and a note names the namespace', () => {
    const { attachments, notes } = edgeRoutes(snap(setup(TEAM_A)));
    expect(attachments).toEqual([expect.objectContaining({ listener: 'http', attachmentUnknown: expect.stringContaining('namespace apps, which no manifest declares') })]);
    expect(notes).toContain('HTTPRoute apps/r: whether listener http of Gateway infra/public admits it is unknown: its allowedRoutes.namespaces selector reads labels of namespace apps, which no manifest declares (only its kubernetes.io/metadata.name label is known); add the Namespace manifest with its labels');
  });

  it('a snapshot whose namespaces could not be read leaves it unknown too, and says so', () => {
    const s = snap(setup(TEAM_A));
    const unread = { ...s, source: 'live' as const, resources: { ...s.resources, namespaces: [] }, coverage: { ...s.coverage, namespaces: { status: 'forbidden' as const } } };
    expect(edgeRoutes(unread).notes).toContainEqual(expect.stringContaining('selector reads labels of namespace apps, whose labels were not read'));
  });

  it('tls.ingress-without-tls gives the HTTP listener no verdict (was: pass, "no routes attached") and says why', () => {
    const o = run(ingressWithoutTls, setup(TEAM_A));
    expect(listenerHttp(o.results)).toEqual([]);
    expect(o.excluded).toContain('Gateway infra/public listener http: HTTPRoute apps/r (whether listener http of Gateway infra/public admits it is unknown');
  });

  it('tls.ingress-without-tls gives no verdict for a NotIn selector either (was: fail, taken as admitted)', () => {
    const o = run(ingressWithoutTls, setup(NOT_PROD));
    expect(listenerHttp(o.results)).toEqual([]);
    expect(o.excluded).toContain('listener http');
  });

  it('network.exposed-workload does not call the backend reachable from outside (was: fail) and says why', () => {
    const o = run(exposedWorkload, setup(NOT_PROD));
    expect(o.results.filter((r) => r.resource.namespace === 'apps')).toEqual([]);
    expect(o.excluded).toContain('Deployment apps/api (whether listener http of Gateway infra/public admits it is unknown');
  });

  // The route also attaches to a listener that admits every namespace (from: All), so the
  // backend is reachable from outside: a fail. Its path through the Selector listener is not
  // known to exist (RouteNamespaces: https://gateway-api.sigs.k8s.io/reference/spec/#routenamespaces),
  // and is stated as such, in the message and the evidence (was: stated as a fact).
  it('network.exposed-workload fails through the listener that admits the route and says the other may not be attached', () => {
    const yaml = setup(TEAM_A)
      .replace('tls: {certificateRefs: [{name: c}]}}', 'tls: {certificateRefs: [{name: c}]}, allowedRoutes: {namespaces: {from: All}}}')
      .replace('parentRefs: [{name: public, namespace: infra, sectionName: http}]', 'parentRefs: [{name: public, namespace: infra}]');
    const [f] = run(exposedWorkload, yaml).results.filter((r) => r.resource.namespace === 'apps');
    expect(f).toMatchObject({ status: 'fail', resource: { kind: 'Deployment', name: 'api' } });
    expect(f.message).toBe('reachable from outside the cluster via Gateway app.example.com/ → HTTPRoute apps/r (Gateway infra/public listener https) → Service apps/api:80; '
      + 'Gateway app.example.com/ → HTTPRoute apps/r (Gateway infra/public listener http) → Service apps/api:80 (may not be attached: whether listener http of Gateway infra/public admits it is unknown: its allowedRoutes.namespaces selector reads labels of namespace apps, which no manifest declares (only its kubernetes.io/metadata.name label is known); add the Namespace manifest with its labels)');
    const paths = (f.evidence as { paths: Array<{ route: string; attachmentUnknown?: string }> }).paths;
    expect(paths.map((p) => [p.route.includes('listener https') ? 'https' : 'http', p.attachmentUnknown === undefined ? 'attached' : 'may not be attached'])).toEqual([['https', 'attached'], ['http', 'may not be attached']]);
  });

  it('tls.edge-auth-missing does not fail the host (was: fail) and says why', () => {
    const o = run(edgeAuthMissing, setup(NOT_PROD));
    expect(o.results.filter((r) => r.resource.namespace === 'apps')).toEqual([]);
    expect(o.excluded).toContain('app.example.com of HTTPRoute apps/r');
  });

  it('with the Namespace declared, its labels decide as before', () => {
    const admitted = run(ingressWithoutTls, setup(TEAM_A, declared('{team: a}')));
    expect(listenerHttp(admitted.results)).toEqual([expect.objectContaining({ status: 'fail', message: expect.stringContaining('HTTPRoute apps/r') })]);
    expect(admitted.excluded ?? '').not.toContain('listener http');
    const refused = run(ingressWithoutTls, setup(TEAM_A, declared('{team: b}')));
    expect(listenerHttp(refused.results)).toEqual([expect.objectContaining({ status: 'pass' })]);
    expect(run(exposedWorkload, setup(NOT_PROD, declared('{env: dev}'))).results.filter((r) => r.resource.namespace === 'apps')).toEqual([expect.objectContaining({ status: 'fail' })]);
  });

  it('a selector on kubernetes.io/metadata.name alone is decided for an undeclared namespace', () => {
    const o = run(ingressWithoutTls, setup('{matchLabels: {kubernetes.io/metadata.name: apps}}'));
    expect(listenerHttp(o.results)).toEqual([expect.objectContaining({ status: 'fail' })]);
  });
});

// The report's exposure section (report.json details.network.exposure and the HTML posture table)
// carries the same doubt as the finding: a path through a listener that may not admit the route is
// listed with why, and makes no workload "reachable from outside" in the totals.
describe('the report: a path that may not be attached', () => {
  const report = (yaml: string): RunReport => ({
    ...auditObjects(parseManifestText(yaml, 'test.yaml').objects, new Date('2026-11-26T00:00:00Z'), 'r1', 'c', defaultConfig(), []),
    details: runDetails({ snapshot: snap(yaml), config: defaultConfig(), now: new Date('2026-11-26T00:00:00Z') }),
  });
  const apps = (r: RunReport) => r.details.network!.exposure.filter((e) => e.workload.namespace === 'apps');

  it('report.json names why; the HTML posture counts no external path when it is the only one', () => {
    const r = report(setup(NOT_PROD));
    expect(apps(r)).toEqual([expect.objectContaining({ external: [expect.objectContaining({ via: 'Gateway', attachmentUnknown: expect.stringContaining('namespace apps, which no manifest declares') })] })]);
    const view = postureOf(r, 50).exposure;
    expect(view.external).toBe(0);
    const row = view.rows.find((x) => x.namespace === 'apps')!;
    expect(row.paths[0].policy).toContain('may not be attached: whether listener http of Gateway infra/public admits it is unknown');
  });

  it('a path through a listener that admits the route still counts', () => {
    const yaml = setup(TEAM_A)
      .replace('tls: {certificateRefs: [{name: c}]}}', 'tls: {certificateRefs: [{name: c}]}, allowedRoutes: {namespaces: {from: All}}}')
      .replace('parentRefs: [{name: public, namespace: infra, sectionName: http}]', 'parentRefs: [{name: public, namespace: infra}]');
    const r = report(yaml);
    const [e] = apps(r);
    expect(e.external.map((p) => p.attachmentUnknown === undefined)).toEqual(expect.arrayContaining([true, false]));
    expect(postureOf(r, 50).exposure.external).toBe(1);
  });

  it('with the Namespace declared, nothing is in doubt', () => {
    const r = report(setup(NOT_PROD, declared('{env: dev}')));
    expect(apps(r)[0].external.every((p) => p.attachmentUnknown === undefined)).toBe(true);
    expect(postureOf(r, 50).exposure.external).toBe(1);
  });
  // With the controller's pods absent too, the row does not say "counted as open" beside a
  // total that counts it nowhere.
  it('a path whose controller pods are missing and whose attachment is unknown is not "counted as open"', () => {
    const r = report(`apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: v1
kind: Namespace
metadata: {name: edge}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: edge}
spec:
  gatewayClassName: eg
  listeners:
  - name: https
    protocol: HTTPS
    port: 443
    hostname: shop.example.com
    tls: {mode: Terminate, certificateRefs: [{name: wild}]}
    allowedRoutes:
      namespaces:
        from: Selector
        selector: {matchLabels: {expose: "true"}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: gw, namespace: edge}]
  hostnames: [shop.example.com]
  rules:
  - backendRefs: [{name: web, port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.27, ports: [{containerPort: 8080}]}]
`);
    const view = postureOf(r, 50).exposure;
    expect(view.external).toBe(0);
    const row = view.rows.find((x) => x.namespace === 'shop')!;
    expect(row.paths[0].policy).toMatch(/^pods of .* not found; may not be attached: /);
    expect(row.paths[0].policy).not.toContain('counted as open');
  });
});
