// --policy-reports against a real kube-apiserver: the wgpolicyk8s.io/v1alpha2 CRDs are
// installed (minimal structural schemas written here), a run's PolicyReports and
// ClusterPolicyReport are applied, a later run replaces them and prunes the reports of
// namespaces that no longer have findings, findings of the longest and most escaped text are
// split into objects that etcd stores, the chart's ClusterRole is all the publisher needs, and
// a namespace that does not exist is an error for that one object only.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildPolicyReports, writePolicyReports } from '../../src/notify/policy-reports.ts';
import { openKubeClient, type KubeClient } from '../../src/kube/client.ts';
import type { RunReport } from '../../src/run/types.ts';
import type { KubeObject } from '../../src/snapshot/types.ts';
import { buildRun, HOSTILE_TEXT, worstCaseRun } from '../unit/report/fixtures.ts';
import { findHelm, renderChart } from '../helm/helm.ts';
import { Admin, describeCluster, tokenKubeconfig, uniqueName } from './env.ts';
import type { PolicyRule } from '../../src/collect/rbac-rules.ts';

const RESULT_VALUES = ['pass', 'fail', 'warn', 'error', 'skip'];

const { helm } = findHelm('PolicyReports as the chart\'s ServiceAccount (test/cluster/policy-reports.test.ts)');

function policyReportCrd(kind: 'PolicyReport' | 'ClusterPolicyReport', plural: string, namespaced: boolean): KubeObject {
  const count = { type: 'integer', minimum: 0 };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.wgpolicyk8s.io` },
    spec: {
      group: 'wgpolicyk8s.io',
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List`, shortNames: [namespaced ? 'polr' : 'cpolr'] },
      scope: namespaced ? 'Namespaced' : 'Cluster',
      versions: [{
        name: 'v1alpha2', served: true, storage: true,
        schema: { openAPIV3Schema: {
          type: 'object',
          properties: {
            scope: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            scopeSelector: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            summary: { type: 'object', properties: { pass: count, fail: count, warn: count, error: count, skip: count } },
            results: {
              type: 'array',
              items: {
                type: 'object', required: ['policy'], 'x-kubernetes-preserve-unknown-fields': true,
                properties: {
                  policy: { type: 'string' },
                  result: { type: 'string', enum: RESULT_VALUES },
                  severity: { type: 'string', enum: ['critical', 'high', 'low', 'medium', 'info'] },
                  properties: { type: 'object', additionalProperties: { type: 'string' } },
                },
              },
            },
          },
        } },
        additionalPrinterColumns: RESULT_VALUES.map((r) => ({ name: r[0].toUpperCase() + r.slice(1), type: 'integer', jsonPath: `.summary.${r}` })),
      }],
    },
  };
}

/** The fixture run with its namespaces renamed to ones unique to this test file. */
function withNamespaces(report: RunReport, rename: (ns: string) => string): RunReport {
  return { ...report, findings: report.findings.map((f) => (f.resource.namespace ? { ...f, resource: { ...f.resource, namespace: rename(f.resource.namespace) } } : f)) };
}

describeCluster('PolicyReport / ClusterPolicyReport publishing (--policy-reports)', (cluster) => {
  const admin = new Admin(cluster);
  const suffix = uniqueName('pr');
  const ns = (n: string) => `${n}-${suffix}`;
  let kc: KubeClient;

  beforeAll(async () => {
    await admin.create(policyReportCrd('PolicyReport', 'policyreports', true), true);
    await admin.create(policyReportCrd('ClusterPolicyReport', 'clusterpolicyreports', false), true);
    await admin.waitForResource('wgpolicyk8s.io', 'v1alpha2', 'policyreports');
    await admin.waitForResource('wgpolicyk8s.io', 'v1alpha2', 'clusterpolicyreports');
    for (const n of ['ci', 'monitoring', 'payments', ...Object.keys(HOSTILE_TEXT)]) await admin.namespace(ns(n));
    kc = openKubeClient({ kubeconfigPath: cluster.kubeconfigPath }).client;
  });

  afterAll(() => kc.close());

  it('applies one PolicyReport per namespace and a ClusterPolicyReport that the apiserver serves back intact', async () => {
    const report = withNamespaces(buildRun().report, ns);
    const outcome = await writePolicyReports(report, kc);
    expect(outcome.errors).toEqual([]);
    expect(outcome.applied).toEqual([
      `PolicyReport/${ns('ci')}/ztaudit`, `PolicyReport/${ns('monitoring')}/ztaudit`, `PolicyReport/${ns('payments')}/ztaudit`, 'ClusterPolicyReport/ztaudit',
    ]);
    const built = buildPolicyReports(report);
    for (const o of built) {
      const path = o.kind === 'PolicyReport'
        ? `/apis/wgpolicyk8s.io/v1alpha2/namespaces/${o.metadata.namespace}/policyreports/${o.metadata.name}`
        : `/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports/${o.metadata.name}`;
      const got = await admin.request('GET', path);
      expect(got.status).toBe(200);
      expect(got.body.summary).toEqual(o.summary);
      expect(got.body.results).toEqual(o.results);
      expect(got.body.metadata.labels['app.kubernetes.io/managed-by']).toBe('ztaudit');
      expect(got.body.metadata.annotations['ztaudit.dev/run-id']).toBe('run-20261126-0200');
      expect(got.body.metadata.managedFields.some((m: { manager: string; operation: string }) => m.manager === 'ztaudit' && m.operation === 'Apply')).toBe(true);
    }
    const payments = await admin.request('GET', `/apis/wgpolicyk8s.io/v1alpha2/namespaces/${ns('payments')}/policyreports/ztaudit`);
    expect(payments.body.results).toMatchObject([{ policy: 'fake.rbac-wide-serviceaccount', result: 'fail', severity: 'high', resources: [{ kind: 'ServiceAccount', name: 'api', namespace: ns('payments') }] }]);
  });

  it('replaces reports on the next run and prunes those of namespaces without findings', async () => {
    const first = withNamespaces(buildRun().report, ns);
    await writePolicyReports(first, kc);
    const next: RunReport = {
      ...first,
      run: { ...first.run, id: 'run-20261127-0200', startedAt: '2026-11-27T02:00:00.000Z' },
      findings: first.findings.filter((f) => f.resource.namespace !== ns('payments')),
    };
    const outcome = await writePolicyReports(next, kc);
    expect(outcome.errors).toEqual([]);
    expect(outcome.deleted).toEqual([`PolicyReport/${ns('payments')}/ztaudit`]);
    expect((await admin.request('GET', `/apis/wgpolicyk8s.io/v1alpha2/namespaces/${ns('payments')}/policyreports/ztaudit`)).status).toBe(404);
    const ci = await admin.request('GET', `/apis/wgpolicyk8s.io/v1alpha2/namespaces/${ns('ci')}/policyreports/ztaudit`);
    expect(ci.body.metadata.annotations['ztaudit.dev/run-id']).toBe('run-20261127-0200');
    expect(ci.body.results[0].timestamp).toEqual({ seconds: Date.parse('2026-11-27T02:00:00Z') / 1000, nanos: 0 });
  });

  it('keeps the results of a check that could not be evaluated this run (missing data is not a fix)', async () => {
    const first = withNamespaces(buildRun().report, ns);
    await writePolicyReports(first, kc);
    // Not diffed (--history none): no stored run says what the check found when last evaluated,
    // so the cluster's own reports are what there is to carry (with history, the run's
    // lastEvaluatedOpen decides: test/unit/notify/policy-reports.test.ts).
    const gap: RunReport = {
      ...first,
      diff: null,
      run: { ...first.run, id: 'run-gap' },
      checks: first.checks.map((c) => (c.id === 'fake.rbac-wide-serviceaccount' ? { ...c, status: 'not-evaluated' as const, reason: 'needs serviceaccounts: forbidden' } : c)),
      findings: first.findings.filter((f) => f.check !== 'fake.rbac-wide-serviceaccount'),
    };
    const outcome = await writePolicyReports(gap, kc);
    expect(outcome.errors).toEqual([]);
    expect(outcome.deleted).toEqual([]);
    const payments = await admin.request('GET', `/apis/wgpolicyk8s.io/v1alpha2/namespaces/${ns('payments')}/policyreports/ztaudit`);
    expect(payments.body.metadata.annotations['ztaudit.dev/run-id']).toBe('run-gap');
    expect(payments.body.results).toMatchObject([{ policy: 'fake.rbac-wide-serviceaccount', result: 'fail', properties: { carriedFrom: 'run-20261126-0200' } }]);
  });

  it('leaves the ClusterPolicyReport as it is when it cannot list it and a check was not evaluated (its results are not shown resolved)', async () => {
    const first = withNamespaces(buildRun().report, ns);
    await writePolicyReports(first, kc);
    // Writes allowed, listing ClusterPolicyReports not (a hand-written ClusterRole, or a list that failed).
    const token = await admin.clusterRoleAccount(ns('ci'), 'no-list', `ztaudit-no-list-${suffix}`, [
      { apiGroups: ['wgpolicyk8s.io'], resources: ['policyreports', 'clusterpolicyreports'], verbs: ['create', 'patch', 'delete'] },
      { apiGroups: ['wgpolicyk8s.io'], resources: ['policyreports'], verbs: ['list'] },
    ]);
    const limited = openKubeClient({ kubeconfigPath: tokenKubeconfig(cluster.server, cluster.caPem, token, 'no-list') }).client;
    try {
      // The open Namespace "shop" is a cluster-wide result; this run could not evaluate its check.
      const gap: RunReport = {
        ...first,
        diff: null,
        run: { ...first.run, id: 'run-gap-unlisted' },
        checks: first.checks.map((c) => (c.id === 'fake.network-namespace-open' ? { ...c, status: 'not-evaluated' as const, reason: 'needs namespaces: forbidden' } : c)),
        findings: first.findings.filter((f) => f.check !== 'fake.network-namespace-open'),
      };
      const outcome = await writePolicyReports(gap, limited);
      const cpr = await admin.request('GET', '/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports/ztaudit');
      expect(cpr.body.metadata.annotations['ztaudit.dev/run-id']).toBe('run-20261126-0200');
      expect(cpr.body.results).toContainEqual(expect.objectContaining({ policy: 'fake.network-namespace-open', result: 'fail', resources: [expect.objectContaining({ kind: 'Namespace', name: 'shop' })] }));
      expect(outcome.errors[0]).toMatch(/^list ClusterPolicyReport: HTTP 403: /);
      expect(outcome.errors[1]).toMatch(/^ClusterPolicyReports not written: they could not be listed, and 3 check\(s\) were not evaluated this run/);
      expect(outcome.errors).toHaveLength(2);
      expect(outcome.applied).toEqual([`PolicyReport/${ns('ci')}/ztaudit`, `PolicyReport/${ns('monitoring')}/ztaudit`, `PolicyReport/${ns('payments')}/ztaudit`]);
      expect(outcome.deleted).toEqual([]);
    } finally {
      limited.close();
    }
  });

  it.skipIf(!helm)("publishes, replaces and prunes with nothing but the chart's policyReports ClusterRole", async () => {
    const objects = renderChart(helm!, { policyReports: { enabled: true } }, { release: 'zt', namespace: ns('ci') });
    const role = objects.find((o) => o.kind === 'ClusterRole' && o.metadata?.name === 'zt-ztaudit-policy-reports') as KubeObject & { rules: PolicyRule[] };
    const token = await admin.clusterRoleAccount(ns('ci'), 'chart', `ztaudit-chart-pr-${suffix}`, role.rules);
    const asChart = openKubeClient({ kubeconfigPath: tokenKubeconfig(cluster.server, cluster.caPem, token, 'chart') }).client;
    try {
      // From nothing of ours (create), then a run with a namespace fewer (patch, delete) and a check not evaluated (list, carry over).
      for (const path of [`/apis/wgpolicyk8s.io/v1alpha2/namespaces/${ns('payments')}/policyreports/ztaudit`, '/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports/ztaudit']) await admin.request('DELETE', path);
      const first = withNamespaces(buildRun().report, ns);
      const created = await writePolicyReports(first, asChart);
      expect(created.errors).toEqual([]);
      expect(created.applied).toContain(`PolicyReport/${ns('payments')}/ztaudit`);
      const next: RunReport = {
        ...first,
        diff: null, // --history none: the cluster's reports carry the check not evaluated
        run: { ...first.run, id: 'run-chart-next' },
        checks: first.checks.map((c) => (c.id === 'fake.network-namespace-open' ? { ...c, status: 'not-evaluated' as const, reason: 'needs namespaces: forbidden' } : c)),
        findings: first.findings.filter((f) => f.resource.namespace !== ns('payments') && f.check !== 'fake.network-namespace-open'),
      };
      const pruned = await writePolicyReports(next, asChart);
      expect(pruned.errors).toEqual([]);
      expect(pruned.deleted).toEqual([`PolicyReport/${ns('payments')}/ztaudit`]);
      const cpr = await admin.request('GET', '/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports/ztaudit');
      expect(cpr.body.results).toContainEqual(expect.objectContaining({ policy: 'fake.network-namespace-open', result: 'fail', properties: expect.objectContaining({ carriedFrom: 'run-20261126-0200' }) }));
      // And nothing beyond those two kinds.
      const other = await asChart.request('PATCH', `/api/v1/namespaces/${ns('ci')}/configmaps/x?fieldManager=ztaudit`, 'apply a ConfigMap', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, contentType: 'application/apply-patch+yaml' });
      expect(other.status).toBe(403);
    } finally {
      asChart.close();
    }
  });

  it('publishes findings of the longest and most escaped text in objects the apiserver and etcd store', async () => {
    const report = worstCaseRun(300, ns);
    const outcome = await writePolicyReports(report, kc);
    expect(outcome.errors).toEqual([]);
    const built = buildPolicyReports(report);
    expect(outcome.applied).toEqual(built.map((o) => `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`));
    // Split by size, not only by count: 1800 results, yet some objects hold far fewer than 1000.
    expect(built.length).toBeGreaterThan(Object.keys(HOSTILE_TEXT).length + 1);
    let results = 0;
    for (const o of built) {
      const path = o.kind === 'PolicyReport'
        ? `/apis/wgpolicyk8s.io/v1alpha2/namespaces/${o.metadata.namespace}/policyreports/${o.metadata.name}`
        : `/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports/${o.metadata.name}`;
      const got = await admin.request('GET', path);
      expect(got.status, path).toBe(200);
      expect(got.body.results, path).toEqual(o.results);
      results += got.body.results.length;
    }
    expect(results).toBe(report.findings.length + report.checks.filter((c) => c.status === 'not-evaluated' || c.status === 'error').length);
  });

  // The API server answers a write into a namespace that does not exist 404 `namespaces "x" not
  // found`: the results (a binding's subject in a deleted namespace) go to the ClusterPolicyReport.
  it('files the results of a namespace that does not exist in the ClusterPolicyReport, with a note, and applies the rest', async () => {
    const report = withNamespaces(buildRun().report, (n) => (n === 'ci' ? `absent-${suffix}` : ns(n)));
    const outcome = await writePolicyReports(report, kc);
    expect(outcome.errors).toEqual([]);
    expect(outcome.notes).toEqual([`namespace(s) absent-${suffix} do not exist: their results are in the ClusterPolicyReport`]);
    expect(outcome.applied).toContain(`PolicyReport/${ns('payments')}/ztaudit`);
    expect(outcome.applied).not.toContain(`PolicyReport/absent-${suffix}/ztaudit`);
    expect(outcome.applied).toContain('ClusterPolicyReport/ztaudit');
    const cpr = await admin.request('GET', '/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports/ztaudit');
    const results = (cpr.body as { results: Array<{ resources?: Array<{ namespace?: string }> }> }).results;
    const moved = report.findings.filter((f) => f.resource.namespace === `absent-${suffix}`).length;
    expect(moved).toBeGreaterThan(0);
    expect(results.filter((r) => r.resources?.[0]?.namespace === `absent-${suffix}`)).toHaveLength(moved);
  });

  it('returns the failure (no throw) when the API server is unreachable, after one request', async () => {
    const dead = openKubeClient({ kubeconfigPath: tokenKubeconfig('https://127.0.0.1:1', cluster.caPem, 'x', 'dead') }).client;
    const outcome = await writePolicyReports(withNamespaces(buildRun().report, ns), dead);
    expect(outcome.applied).toEqual([]);
    expect(outcome.errors).toHaveLength(2);
    expect(outcome.errors[0]).toMatch(/^list PolicyReport: /);
    expect(outcome.errors[1]).toMatch(/^4 report\(s\) not sent and none removed: the API server did not answer \(/);
  });
});
