// The report's mTLS posture shows, for meshed workloads, who may call them (their Istio
// AuthorizationPolicies) next to what the network admits, and the workloads pods of other
// namespaces can reach while nothing at L7 names their callers. Audited from manifests,
// validated against the report.json schema, rendered to HTML.
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
import { objects } from '../mesh/helpers.ts';

const YAML = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: tools}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template: {metadata: {labels: {app: db}}, spec: {containers: [{name: c, image: postgres, ports: [{containerPort: 5432}]}]}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: web, ports: [{containerPort: 8080}]}]}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: admin, namespace: tools}
spec:
  selector: {matchLabels: {app: admin}}
  template: {metadata: {labels: {app: admin}}, spec: {containers: [{name: c, image: admin, ports: [{containerPort: 9000}]}]}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-same-namespace, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {}}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: db-from-web, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/web]}}], to: [{operation: {ports: ["5432"]}}]}]
`;

describe('report: who may call meshed workloads, and L4 reach without L7 authorization', () => {
  const at = new Date('2026-06-01T00:00:00Z');
  // As `ztaudit run` does: the pipeline's audit with the analyses' report details.
  const report = auditSnapshot({ snapshot: snapshotFromObjects(objects(YAML)), config: defaultConfig(), checks: CHECKS, now: at, startedAt: at, runId: 'run-1', details: runDetails }).report;

  it('report.json details carry the callers per Istio workload and the L4-without-L7 list', () => {
    const byName = new Map(report.details.mtls!.workloads.map((w) => [w.workload.name, w]));
    expect(byName.get('db')!.callers).toEqual({ who: 'listed', callers: ['principal cluster.local/ns/shop/sa/web (ports 5432)'], policies: ['shop/db-from-web'] });
    expect(byName.get('web')!.callers).toEqual({ who: 'anyone', callers: [], policies: [] });
    expect(byName.get('admin')!.callers).toBeUndefined();
    // web (meshed, no ALLOW policy, unisolated) and admin (no mesh, unisolated) are reachable from
    // other namespaces with nothing at L7; db admits only its own namespace at L4 and names its callers.
    expect(report.details.mtls!.l4WithoutL7).toEqual([
      { workload: { kind: 'Deployment', namespace: 'shop', name: 'web' }, mesh: 'istio', reason: 'meshed, but no ALLOW AuthorizationPolicy applies: any caller the network lets in is authorized' },
      { workload: { kind: 'Deployment', namespace: 'tools', name: 'admin' }, mesh: 'none', reason: 'not in a service mesh: no L7 authorization' },
    ].sort((a, b) => `${a.workload.namespace}/${a.workload.name}`.localeCompare(`${b.workload.namespace}/${b.workload.name}`)));
  });

  it('report.json with these keys is valid against schemas/report.schema.json', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    (addFormatsModule as unknown as (a: Ajv2020) => Ajv2020)(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(new URL('../../../schemas/report.schema.json', import.meta.url), 'utf8')));
    validate(JSON.parse(JSON.stringify(report)));
    expect(validate.errors ?? []).toEqual([]);
    const bad = JSON.parse(JSON.stringify(report));
    bad.details.mtls.workloads.find((w: { callers?: unknown }) => w.callers).callers.who = 'everybody';
    expect(validate(bad)).toBe(false);
  });

  it('the HTML posture shows both tables', () => {
    const html = renderHtml(report, {}).replace(/<wbr>/g, '');
    const callers = html.slice(html.indexOf('id="posture-callers"'), html.indexOf('id="posture-l4-without-l7"'));
    expect(callers).toContain('<code>shop/web</code></td><td data-label="Callers at L7"><span class="mode callers m-bad">any caller the network lets in (no ALLOW AuthorizationPolicy)</span>');
    expect(callers).toContain('<span class="pill fail">every namespace</span>');
    expect(callers).toContain('principal cluster.local/ns/shop/sa/web (ports 5432)');
    const l4 = html.slice(html.indexOf('id="posture-l4-without-l7"'), html.indexOf('id="posture-exposure"'));
    expect(l4).toContain('Reachable from other namespaces with no L7 authorization (2)');
    expect(l4).toContain('<code>tools/admin</code></td><td data-label="Mesh">none</td>');
    expect(l4).not.toContain('shop/db');
  });
});
