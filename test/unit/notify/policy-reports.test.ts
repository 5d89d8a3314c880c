import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { kubeconfigFor, writeEndlessLine } from '../../helpers/local-api-server.ts';
import { openKubeClient, TransportError, type KubeClient, type KubeResponse } from '../../../src/kube/client.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { buildPolicyReports, MAX_REPORT_BYTES, MAX_RESULTS_PER_REPORT, notPublishable, writePolicyReports, type PolicyReportObject } from '../../../src/notify/policy-reports.ts';
import { readSnapshot, writeSnapshot } from '../../../src/snapshot/io.ts';
import { fingerprintOf } from '../../../src/engine/fingerprint.ts';
import { buildRun, HOSTILE_NAMES, hostileReport, syntheticReport, worstCaseRun } from '../report/fixtures.ts';
import { CHECKS } from '../../../checks/index.ts';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig, type Config } from '../../../src/config/types.ts';
import { openCarriedFindings } from '../../../src/diff/baseline.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';

/** etcd's default --max-request-bytes: a larger write is refused ("etcdserver: request is too large"). */
const ETCD_LIMIT = 1.5 * 1024 * 1024;

/**
 * The bytes of `value` as the API server's Go JSON encoder writes it when it stores the object,
 * worked out here character by character: `"` and `\\` and the short escapes take two bytes,
 * other controls and `<`, `>`, `&`, U+2028 and U+2029 six (\u003c), a lone surrogate the three
 * of U+FFFD, everything else its UTF-8.
 */
function goJsonBytes(value: unknown): number {
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return String(value).length;
  if (typeof value === 'string') {
    let n = 2;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c === 0x22 || c === 0x5c || c === 0x0a || c === 0x0d || c === 0x09) n += 2;
      else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) n += 6;
      else if (c < 0x80) n += 1;
      else if (c < 0x800) n += 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length && value.charCodeAt(i + 1) >= 0xdc00 && value.charCodeAt(i + 1) <= 0xdfff) { n += 4; i++; }
      else n += 3;
    }
    return n;
  }
  if (Array.isArray(value)) return 2 + Math.max(0, value.length - 1) + value.reduce((n: number, v) => n + goJsonBytes(v), 0);
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return 2 + Math.max(0, entries.length - 1) + entries.reduce((n, [k, v]) => n + goJsonBytes(k) + 1 + goJsonBytes(v), 0);
}

/** Every string in `value`, keys too. */
function stringsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) { out.push(k); stringsOf(v, out); }
  return out;
}

/**
 * A client that records each request and answers as `answer` says (by default: lists are
 * empty, everything else succeeds); an `answer` that throws is a request that got no answer.
 */
function fakeClient(answer: (method: string, path: string) => KubeResponse | undefined = () => undefined) {
  const sent: Array<{ method: string; path: string; body?: unknown }> = [];
  const respond = async (method: string, path: string, body?: unknown): Promise<KubeResponse> => {
    sent.push({ method, path, ...(body !== undefined ? { body } : {}) });
    return answer(method, path) ?? (method === 'GET' ? { status: 200, body: { items: [], metadata: {} } } : { status: 200, body: {} });
  };
  const client = { get: (path: string) => respond('GET', path), request: (method: string, path: string, _what?: string, opts?: { body?: unknown }) => respond(method, path, opts?.body), close: () => {} } as unknown as KubeClient;
  return { client, sent };
}

const idOf = (o: PolicyReportObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

describe('buildPolicyReports', () => {
  it('makes one PolicyReport per namespace with findings and one ClusterPolicyReport', () => {
    const { report } = buildRun();
    const objs = buildPolicyReports(report);
    expect(objs.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`)).toEqual([
      'PolicyReport/ci/ztaudit', 'PolicyReport/monitoring/ztaudit', 'PolicyReport/payments/ztaudit', 'ClusterPolicyReport//ztaudit',
    ]);
    const ci = objs[0];
    expect(ci.apiVersion).toBe('wgpolicyk8s.io/v1alpha2');
    expect(ci.metadata.labels['app.kubernetes.io/managed-by']).toBe('ztaudit');
    expect(ci.summary).toEqual({ pass: 0, fail: 0, warn: 0, error: 0, skip: 2 });
    expect(ci.results[0]).toMatchObject({
      source: 'ztaudit', policy: 'fake.rbac-wide-serviceaccount', category: 'rbac', severity: 'high', result: 'skip', scored: false,
      resources: [{ apiVersion: 'v1', kind: 'ServiceAccount', name: 'builder', namespace: 'ci' }],
      timestamp: { seconds: Date.parse('2026-11-26T02:00:00Z') / 1000, nanos: 0 },
    });
    expect(ci.results[0].properties.waiver).toContain('vendor tool');
    const cluster = objs[3];
    // The open Namespace finding, then the checks that could not run.
    expect(cluster.results.map((r) => `${r.policy}:${r.result}`)).toEqual(['fake.network-namespace-open:fail', 'fake.tls-needs-traefik:skip', 'fake.pod-security-throws:error']);
    expect(cluster.summary).toEqual({ pass: 0, fail: 1, warn: 0, error: 1, skip: 1 });
  });

  it('splits a namespace with many findings into numbered reports', () => {
    const big = syntheticReport(50_000);
    const objs = buildPolicyReports(big);
    const team0 = objs.filter((o) => o.metadata.namespace === 'team-000');
    const count = big.findings.filter((f) => f.resource.namespace === 'team-000').length;
    expect(team0).toHaveLength(1);
    expect(team0[0].results).toHaveLength(count);
    const crs = objs.filter((o) => o.kind === 'ClusterPolicyReport');
    expect(crs.map((o) => o.metadata.name)).toEqual(['ztaudit', 'ztaudit-2', 'ztaudit-3', 'ztaudit-4', 'ztaudit-5', 'ztaudit-6', 'ztaudit-7', 'ztaudit-8', 'ztaudit-9', 'ztaudit-10', 'ztaudit-11']);
    expect(crs.every((o) => o.results.length <= MAX_RESULTS_PER_REPORT)).toBe(true);
    expect(crs.reduce((n, o) => n + o.results.length, 0)).toBe(10_001 + 2);
    expect(JSON.stringify(crs[0]).length).toBeLessThan(1_000_000);
  });

  it('keeps every object within what etcd stores, however long and however escaped the text of its results', () => {
    const report = worstCaseRun(700);
    const objs = buildPolicyReports(report);
    for (const o of objs) {
      const bytes = goJsonBytes(o);
      expect(bytes, idOf(o)).toBeLessThanOrEqual(MAX_REPORT_BYTES);
      expect(o.results.length, idOf(o)).toBeLessThanOrEqual(MAX_RESULTS_PER_REPORT);
    }
    expect(MAX_REPORT_BYTES).toBeLessThan(ETCD_LIMIT);
    // Cut text stays whole characters: half an emoji is refused by the API server's YAML decoder.
    expect(JSON.stringify(objs)).not.toMatch(/\\ud[89a-f]/);
    // Not vacuous: a thousand such results are far past the limit, so they were split by size.
    expect(objs.length).toBeGreaterThan(20);
    expect(Math.max(...objs.map(goJsonBytes))).toBeGreaterThan(0.9 * MAX_REPORT_BYTES);
    // Every finding is published once, in objects numbered ztaudit, ztaudit-2, ... per namespace.
    const published = objs.flatMap((o) => o.results.map((r) => r.properties.fingerprint)).filter(Boolean);
    expect(published.sort()).toEqual(report.findings.map((f) => f.fingerprint).sort());
    const names = new Map<string, string[]>();
    for (const o of objs) names.set(`${o.kind}/${o.metadata.namespace ?? ''}`, [...(names.get(`${o.kind}/${o.metadata.namespace ?? ''}`) ?? []), o.metadata.name]);
    for (const [where, list] of names) expect(list, where).toEqual(list.map((_, i) => (i === 0 ? 'ztaudit' : `ztaudit-${i + 1}`)));
  });

  it("writes the cluster's text so that the API server takes it as it is and a terminal shows it on its line", () => {
    const objs = buildPolicyReports(worstCaseRun(20));
    const hostile = buildPolicyReports(hostileReport());
    // The namespace of an object is the finding's own (checked where it is written, below).
    for (const value of stringsOf([...objs, ...hostile].map((o) => ({ ...o, metadata: { ...o.metadata, namespace: undefined } })))) {
      expect(value.isWellFormed(), JSON.stringify(value.slice(0, 80))).toBe(true);
      // What the YAML decoder refuses or folds, and what a terminal would act on.
      expect(value, JSON.stringify(value.slice(0, 80))).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffe\uffff\u202a-\u202e\u2066-\u2069]/);
    }
    const names = hostile.flatMap((o) => o.results.map((r) => r.resources?.[0]?.name));
    expect(names).toContain('new\\u000aline\\u000d\\u000aend');
    expect(names).toContain('lone \ufffd surrogate');
    expect(names).toContain('emoji 😀 ü 日本');
    expect(names).toContain(HOSTILE_NAMES[0]);
  });

  it('splits the same findings into the same objects, in whatever order the run lists them', () => {
    const report = worstCaseRun(200);
    const reversed = [...report.findings].reverse();
    const shuffled = { ...report, findings: [...reversed.slice(333), ...reversed.slice(0, 333)] };
    expect(JSON.stringify(buildPolicyReports(shuffled))).toBe(JSON.stringify(buildPolicyReports(report)));
  });

  it('still publishes an empty ClusterPolicyReport when nothing failed, so stale results are replaced', () => {
    const { report } = buildRun();
    const clean = { ...report, findings: [], checks: report.checks.filter((c) => c.status === 'pass' || c.status === 'fail') };
    const objs = buildPolicyReports(clean);
    expect(objs).toHaveLength(1);
    expect(objs[0]).toMatchObject({ kind: 'ClusterPolicyReport', results: [], summary: { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 } });
  });

  it('carries over the results of a check this run could not evaluate, instead of dropping them as if fixed', () => {
    const { report } = buildRun();
    const before = buildPolicyReports(report);
    const gap: typeof report = {
      ...report,
      run: { ...report.run, id: 'run-next' },
      checks: report.checks.map((c) => (c.id === 'fake.rbac-wide-serviceaccount' ? { ...c, status: 'not-evaluated' as const, reason: 'needs serviceaccounts: forbidden', evaluated: 0, passed: 0, failed: 0, waived: 0 } : c)),
      findings: report.findings.filter((f) => f.check !== 'fake.rbac-wide-serviceaccount'),
      diff: null, // --history none: the cluster's reports are all there is
    };
    const after = buildPolicyReports(gap, before);
    const payments = after.find((o) => o.metadata.namespace === 'payments')!;
    expect(payments.results).toHaveLength(1);
    expect(payments.results[0]).toMatchObject({ policy: 'fake.rbac-wide-serviceaccount', result: 'fail', properties: { carriedFrom: 'run-20261126-0200' } });
    expect(after.find((o) => o.kind === 'ClusterPolicyReport')!.results.map((r) => `${r.policy}:${r.result}`)).toContain('fake.rbac-wide-serviceaccount:skip');
    // Once the check runs again, only what it finds now is published.
    const back = buildPolicyReports({ ...report, findings: report.findings.filter((f) => f.resource.namespace !== 'payments') }, after);
    expect(back.find((o) => o.metadata.namespace === 'payments')).toBeUndefined();
  });

  it('carries a result over from the cluster\'s reports when the run that last evaluated the check is no longer readable, and not when that run found it clean', () => {
    const { report } = buildRun();
    const before = buildPolicyReports(report);
    const id = 'fake.rbac-wide-serviceaccount';
    const gap: typeof report = {
      ...report,
      run: { ...report.run, id: 'run-next' },
      checks: report.checks.map((c) => (c.id === id ? { ...c, status: 'not-evaluated' as const, reason: 'needs serviceaccounts: forbidden' } : c)),
      findings: report.findings.filter((f) => f.check !== id),
    };
    const carried = (lastEvaluatedOpen: NonNullable<RunReport['run']['lastEvaluatedOpen']>) =>
      buildPolicyReports({ ...gap, run: { ...gap.run, lastEvaluatedOpen } }, before).flatMap((o) => o.results).filter((r) => r.policy === id && r.result === 'fail').map((r) => r.properties.carriedFrom).filter((v, i, all) => all.indexOf(v) === i);
    // The run stated an open finding, but its findings could not be read (evicted): the cluster's report is all there is.
    expect(carried([{ check: id, runId: 'run-evicted', open: { critical: 0, high: 1, medium: 0, low: 0 } }])).toEqual(['run-20261126-0200']);
    // A newer run evaluated it and found nothing open: nothing to carry.
    expect(carried([{ check: id, runId: 'run-clean', open: { critical: 0, high: 0, medium: 0, low: 0 } }])).toEqual([]);
  });

  // docs/deploy.md, README: carried results are what the run states (run.lastEvaluatedOpen),
  // whichever process stored the runs. Another process stored a run with the check switched off
  // (not applicable): the search ends there with nothing, so a run diffed against the stored
  // runs states nothing for the check, and the result this daemon published earlier is not
  // carried from the cluster either. Only a run not diffed against history falls back to them.
  it('carries nothing from the cluster\'s reports for a check the run, diffed against the stored runs, states nothing for', () => {
    const { report } = buildRun();
    const before = buildPolicyReports(report);
    const id = 'fake.rbac-wide-serviceaccount';
    const gap: typeof report = {
      ...report,
      run: { ...report.run, id: 'run-next', lastEvaluatedOpen: [] },
      checks: report.checks.map((c) => (c.id === id ? { ...c, status: 'not-evaluated' as const, reason: 'needs serviceaccounts: forbidden' } : c)),
      findings: report.findings.filter((f) => f.check !== id),
    };
    const failing = (r: RunReport) => buildPolicyReports(r, before).flatMap((o) => o.results).filter((x) => x.policy === id && x.result === 'fail');
    expect(gap.diff).not.toBeNull();
    expect(failing(gap)).toEqual([]);
    const fromCluster = failing({ ...gap, diff: null });
    expect(fromCluster.length).toBeGreaterThan(0);
    expect(new Set(fromCluster.map((x) => x.properties.carriedFrom))).toEqual(new Set(['run-20261126-0200']));
  });

  it('carries a result over only within the bounds of a fresh one, whatever was edited into the cluster since', () => {
    const { report } = buildRun();
    const payments = buildPolicyReports(report).find((o) => o.metadata.namespace === 'payments')!;
    const [mine] = payments.results;
    const edited = {
      ...payments,
      results: [
        { ...mine!, message: '<'.repeat(2_000_000), properties: { ...mine!.properties, junk: 'x'.repeat(1_000_000) } },
        { ...mine!, severity: 'catastrophic' as 'high' }, // no report may hold it: the apply would be refused
      ],
    };
    const gap: typeof report = {
      ...report,
      checks: report.checks.map((c) => (c.id === 'fake.rbac-wide-serviceaccount' ? { ...c, status: 'not-evaluated' as const, reason: 'needs serviceaccounts: forbidden' } : c)),
      findings: report.findings.filter((f) => f.check !== 'fake.rbac-wide-serviceaccount'),
      diff: null, // --history none: carried from the cluster's reports
    };
    const after = buildPolicyReports(gap, [edited]);
    const carried = after.find((o) => o.metadata.namespace === 'payments')!.results;
    expect(carried).toHaveLength(1);
    expect(carried[0]!.message).toHaveLength(1024);
    expect(Object.keys(carried[0]!.properties).sort()).toEqual(['carriedFrom', 'controls', 'fingerprint']);
    for (const o of after) expect(goJsonBytes(o), idOf(o)).toBeLessThanOrEqual(MAX_REPORT_BYTES);
  });
});

// README (Configuration, fleet): a carried finding is "waived or open by the latest run's waivers
// (its config) at its start, as that run's report counts them: a waiver dropped or ended since
// counts the finding again, one added waives it" — and so do the PolicyReports it publishes
// (wgpolicyk8s.io/v1alpha2: `skip` and scored false for a waived result, `fail` and scored for an open one).
describe('a carried result in the PolicyReports, waived or open as the run counts it', () => {
  // ServiceAccount ci-deployer holds ClusterRole ci-deployer's wildcard rules; the waiver names the
  // ClusterRole, a related object of the finding (whose resource is the ServiceAccount).
  const objects = parseManifestText(`apiVersion: v1
kind: ServiceAccount
metadata: {name: ci-deployer, namespace: ci}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ci-deployer}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ci-deployer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ci-deployer}
subjects: [{kind: ServiceAccount, name: ci-deployer, namespace: ci}]
`, 'ci.yaml').objects;
  const checks = CHECKS.filter((c) => c.id === 'rbac.wildcard-permission');
  const waiverUntil = (expires: string | null): Config => {
    const c = defaultConfig();
    c.waivers = expires ? [{ check: 'rbac.wildcard-permission', resource: { kind: 'ClusterRole', name: 'ci-deployer' }, reason: 'CI rewrite pending', owner: 'platform@acme.example', expires }] : [];
    return c;
  };
  const audit = (at: string, config: Config, blind: boolean) => {
    const snapshot = snapshotFromObjects(objects, { clusterName: 'prod', clusterVersion: 'v1.36.3', collectedAt: at });
    if (blind) snapshot.coverage.clusterroles = { status: 'forbidden', detail: 'clusterroles.rbac.authorization.k8s.io is forbidden' };
    return auditSnapshot({ snapshot, config, checks, now: new Date(at), runId: `run-${at.slice(0, 10)}`, startedAt: new Date(at) }).report;
  };
  const first = audit('2026-12-03T02:00:00.000Z', waiverUntil('2026-12-04'), false);
  const published = buildPolicyReports(first);
  const ci = (objs: PolicyReportObject[]) => objs.find((o) => o.metadata.namespace === 'ci')!.results.filter((r) => r.policy === 'rbac.wildcard-permission');

  it('a waiver that has expired since, or was removed, leaves it open (fail, scored); one still in force keeps it skip, naming that waiver', () => {
    const [waived] = ci(published);
    expect(waived).toMatchObject({ result: 'skip', scored: false, resources: [{ kind: 'ServiceAccount', namespace: 'ci', name: 'ci-deployer' }] });
    for (const [config, result] of [[waiverUntil('2026-12-04'), 'fail'], [waiverUntil(null), 'fail'], [waiverUntil('2027-03-31'), 'skip']] as const) {
      const later = audit('2026-12-05T02:00:00.000Z', config, true);
      expect(later.checks.find((c) => c.id === 'rbac.wildcard-permission')!.status).toBe('not-evaluated');
      const [carried] = ci(buildPolicyReports(later, published));
      expect(carried, config.waivers[0]?.expires ?? 'no waiver').toMatchObject({ result, scored: result === 'fail', properties: { carriedFrom: first.run.id, fingerprint: waived!.properties.fingerprint } });
      expect(carried!.properties.waiver).toBe(result === 'skip' ? 'CI rewrite pending (owner platform@acme.example, expires 2027-03-31)' : undefined);
      // The same finding as the run's counts (run.lastEvaluatedOpen) and /metrics take it: open exactly when they count it.
      const open = openCarriedFindings(later, first, new Set(['rbac.wildcard-permission'])).map((f) => f.fingerprint);
      expect(open).toEqual(result === 'fail' ? [waived!.properties.fingerprint] : []);
    }
  });

  it('a waiver added since waives an open carried result, through the related objects the result keeps', () => {
    const open = audit('2026-12-03T02:00:00.000Z', waiverUntil(null), false);
    const before = buildPolicyReports(open);
    expect(ci(before)[0]).toMatchObject({ result: 'fail', scored: true, properties: { related: '[{"kind":"ClusterRole","name":"ci-deployer"},{"kind":"ClusterRoleBinding","name":"ci-deployer"}]' } });
    const later = audit('2026-12-05T02:00:00.000Z', waiverUntil('2027-03-31'), true);
    expect(ci(buildPolicyReports(later, before))[0]).toMatchObject({ result: 'skip', scored: false });
    expect(openCarriedFindings(later, open, new Set(['rbac.wildcard-permission']))).toEqual([]);
  });
});

describe('writePolicyReports', () => {
  it('writes no report into a namespace whose name no cluster has (from --manifests), says so on one line, and writes the rest', async () => {
    const { client, sent } = fakeClient();
    const report = hostileReport();
    const outcome = await writePolicyReports(report, client);
    const odd = [...new Set(report.findings.map((f) => f.resource.namespace).filter((n): n is string => n !== undefined && n.startsWith('ns-')))];
    expect(odd.length).toBe(HOSTILE_NAMES.length);
    expect(outcome.errors).toHaveLength(odd.length);
    for (const e of outcome.errors) {
      expect(e).toMatch(/^PolicyReport ztaudit in namespace ".*": not written: not a namespace name/);
      expect(e).not.toMatch(/[\n\r\u0000-\u001f]/);
    }
    // Nothing was sent for them; the other namespaces' reports and the cluster's were written.
    const fine = [...new Set(report.findings.map((f) => f.resource.namespace).filter((n): n is string => n !== undefined && !n.startsWith('ns-')))].sort();
    expect(fine.length).toBeGreaterThan(0);
    const written = [...fine.map((n) => `PolicyReport/${n}/ztaudit`), 'ClusterPolicyReport/ztaudit'];
    expect(outcome.applied).toEqual(written);
    expect(sent.filter((r) => r.method === 'PATCH').map((r) => decodeURIComponent(r.path.split('?')[0]!))).toEqual([
      ...fine.map((n) => `/apis/wgpolicyk8s.io/v1alpha2/namespaces/${n}/policyreports/ztaudit`), '/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports/ztaudit',
    ]);
  });

  it('writes no PolicyReport it could not list while a check went unevaluated, so none of that check\'s results reads as resolved', async () => {
    const { report } = buildRun();
    const forbidden = (method: string, path: string): KubeResponse | undefined => (method === 'GET' && path.startsWith('/apis/wgpolicyk8s.io/v1alpha2/policyreports?')
      ? { status: 403, body: { message: 'policyreports.wgpolicyk8s.io is forbidden: User "system:serviceaccount:ztaudit:ztaudit" cannot list resource "policyreports"' } } : undefined);
    // payments had one result of fake.rbac-wide-serviceaccount (ServiceAccount api); this run could
    // not evaluate that check, and found something else there.
    const open = report.findings.find((f) => f.check === 'fake.network-namespace-open')!;
    const gap: RunReport = {
      ...report,
      checks: report.checks.map((c) => (c.id === 'fake.rbac-wide-serviceaccount' ? { ...c, status: 'not-evaluated' as const, reason: 'needs serviceaccounts: forbidden' } : c)),
      findings: [...report.findings.filter((f) => f.check !== 'fake.rbac-wide-serviceaccount'), { ...open, fingerprint: 'fp-payments-open', resource: { kind: 'Service', namespace: 'payments', name: 'api' } }],
    };
    const { client, sent } = fakeClient(forbidden);
    const outcome = await writePolicyReports(gap, client);
    expect(sent.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path.split('?')[0]}`)).toEqual(['PATCH /apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports/ztaudit']);
    expect(outcome.errors).toEqual([
      'list PolicyReport: HTTP 403: policyreports.wgpolicyk8s.io is forbidden: User "system:serviceaccount:ztaudit:ztaudit" cannot list resource "policyreports"',
      'PolicyReports not written: they could not be listed, and 3 check(s) were not evaluated this run (fake.rbac-wide-serviceaccount, fake.tls-needs-traefik, fake.pod-security-throws); written without the results those checks had, the reports would show them resolved',
    ]);
    // Every check evaluated: nothing to carry over, so the reports are written; only pruning waits for a complete listing.
    const full = { ...report, checks: report.checks.filter((c) => c.status === 'pass' || c.status === 'fail') };
    const again = fakeClient(forbidden);
    const written = await writePolicyReports(full, again.client);
    expect(written.applied).toEqual(['PolicyReport/ci/ztaudit', 'PolicyReport/monitoring/ztaudit', 'PolicyReport/payments/ztaudit', 'ClusterPolicyReport/ztaudit']);
    expect(written.errors).toHaveLength(1);
    expect(again.sent.some((r) => r.method === 'DELETE')).toBe(false);
  });

  it('deletes the numbered reports a run no longer fills, and lists only reports labelled as ztaudit\'s', async () => {
    const { report } = buildRun();
    const full = { ...report, checks: report.checks.filter((c) => c.status === 'pass' || c.status === 'fail') };
    const ours = (namespace: string, name: string) => ({ apiVersion: 'wgpolicyk8s.io/v1alpha2', kind: 'PolicyReport', metadata: { namespace, name, labels: { 'app.kubernetes.io/managed-by': 'ztaudit' } }, results: [] });
    const { client, sent } = fakeClient((method, path) => (method === 'GET' && path.startsWith('/apis/wgpolicyk8s.io/v1alpha2/policyreports?')
      ? { status: 200, body: { items: [ours('payments', 'ztaudit'), ours('payments', 'ztaudit-2'), ours('payments', 'ztaudit-3'), ours('gone', 'ztaudit')], metadata: {} } } : undefined));
    const outcome = await writePolicyReports(full, client);
    expect(outcome.errors).toEqual([]);
    expect(outcome.deleted).toEqual(['PolicyReport/payments/ztaudit-2', 'PolicyReport/payments/ztaudit-3', 'PolicyReport/gone/ztaudit']);
    for (const list of sent.filter((r) => r.method === 'GET')) expect(decodeURIComponent(list.path)).toContain('?labelSelector=app.kubernetes.io/managed-by=ztaudit&');
  });

  it('says each refused object on one line naming it (403, 409, 422) and writes the others', async () => {
    const { report } = buildRun();
    const status = (code: number, message: string): KubeResponse => ({ status: code, body: { kind: 'Status', message } });
    const { client } = fakeClient((method, path) => {
      if (method !== 'PATCH') return undefined;
      if (path.includes('/namespaces/ci/')) return status(403, 'policyreports.wgpolicyk8s.io "ztaudit" is forbidden: User "system:serviceaccount:ztaudit:ztaudit"\ncannot patch resource "policyreports"');
      if (path.includes('/namespaces/monitoring/')) return status(409, 'Operation cannot be fulfilled on policyreports.wgpolicyk8s.io "ztaudit": the object has been modified');
      if (path.includes('/namespaces/payments/')) return status(422, 'PolicyReport.wgpolicyk8s.io "ztaudit" is invalid: results[0].severity: Unsupported value: "grave"');
      return undefined;
    });
    const outcome = await writePolicyReports(report, client);
    expect(outcome.errors).toEqual([
      'PolicyReport/ci/ztaudit: HTTP 403: policyreports.wgpolicyk8s.io "ztaudit" is forbidden: User "system:serviceaccount:ztaudit:ztaudit"\\u000acannot patch resource "policyreports"',
      'PolicyReport/monitoring/ztaudit: HTTP 409: Operation cannot be fulfilled on policyreports.wgpolicyk8s.io "ztaudit": the object has been modified',
      'PolicyReport/payments/ztaudit: HTTP 422: PolicyReport.wgpolicyk8s.io "ztaudit" is invalid: results[0].severity: Unsupported value: "grave"',
    ]);
    expect(outcome.applied).toEqual(['ClusterPolicyReport/ztaudit']);
  });

  // A ClusterRoleBinding may name a ServiceAccount in a namespace that does not exist (the API
  // server accepts it; whoever creates that namespace and account holds the role): its findings
  // have no namespace to hold a PolicyReport, so they go to the ClusterPolicyReport, not nowhere.
  it('files the results of a namespace that does not exist (404 namespaces "x" not found) in the ClusterPolicyReport, with a note', async () => {
    const { report } = buildRun();
    const inPayments = report.findings.filter((f) => f.resource.namespace === 'payments').map((f) => f.fingerprint);
    expect(inPayments.length).toBeGreaterThan(0);
    const { client, sent } = fakeClient((method, path) => (method === 'PATCH' && path.includes('/namespaces/payments/')
      ? { status: 404, body: { kind: 'Status', code: 404, reason: 'NotFound', message: 'namespaces "payments" not found', details: { name: 'payments', kind: 'namespaces' } } } : undefined));
    const outcome = await writePolicyReports(report, client);
    expect(outcome.errors).toEqual([]);
    expect(outcome.notes).toEqual(['namespace(s) payments do not exist: their results are in the ClusterPolicyReport']);
    expect(outcome.applied).toEqual(['PolicyReport/ci/ztaudit', 'PolicyReport/monitoring/ztaudit', 'ClusterPolicyReport/ztaudit']);
    const cluster = sent.find((r) => r.method === 'PATCH' && r.path.startsWith('/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports/'))!.body as PolicyReportObject;
    const filed = cluster.results.filter((r) => r.resources?.[0]?.namespace === 'payments').map((r) => r.properties.fingerprint);
    expect(filed.sort()).toEqual([...inPayments].sort());
    expect(cluster.summary.fail).toBe(cluster.results.filter((r) => r.result === 'fail').length);
    // Another 404 (the CRD is not installed) stays an error naming the object.
    const { client: noCrd } = fakeClient((method, path) => (method === 'PATCH' && path.includes('/namespaces/payments/') ? { status: 404, body: { kind: 'Status', message: 'the server could not find the requested resource' } } : undefined));
    expect((await writePolicyReports(report, noCrd)).errors).toEqual(['PolicyReport/payments/ztaudit: HTTP 404: the server could not find the requested resource']);
  });

  it('sends nothing more once the API server does not answer, and says how many reports were not sent', async () => {
    const { report } = buildRun();
    const { client, sent } = fakeClient((method, path) => {
      if (method === 'PATCH' && path.includes('/namespaces/monitoring/')) throw new TransportError('ETIMEDOUT', 'no response within 10000 ms (4 attempts over 41.2 s)');
      return undefined;
    });
    const outcome = await writePolicyReports(report, client);
    expect(sent.map((r) => `${r.method} ${r.path.split('?')[0]}`)).toEqual([
      'GET /apis/wgpolicyk8s.io/v1alpha2/policyreports', 'GET /apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports',
      'PATCH /apis/wgpolicyk8s.io/v1alpha2/namespaces/ci/policyreports/ztaudit', 'PATCH /apis/wgpolicyk8s.io/v1alpha2/namespaces/monitoring/policyreports/ztaudit',
    ]);
    expect(outcome.errors).toEqual([
      'PolicyReport/monitoring/ztaudit: no response within 10000 ms (4 attempts over 41.2 s)',
      '2 report(s) not sent and none removed: the API server did not answer (no response within 10000 ms (4 attempts over 41.2 s))',
    ]);
    // Not even the listing answered: nothing else is tried.
    const dead = fakeClient(() => { throw new TransportError('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:443 (4 attempts over 2.1 s)'); });
    const none = await writePolicyReports(report, dead.client);
    expect(dead.sent).toHaveLength(1);
    expect(none.errors).toEqual(['list PolicyReport: connect ECONNREFUSED 10.0.0.1:443 (4 attempts over 2.1 s)', '4 report(s) not sent and none removed: the API server did not answer (connect ECONNREFUSED 10.0.0.1:443 (4 attempts over 2.1 s))']);
  });
});

describe('writePolicyReports against an API server whose list never ends', () => {
  it('stops reading a PolicyReport list at an object past 64 MiB, says so naming the list, and writes the reports without pruning', async () => {
    const { report } = buildRun();
    const full = { ...report, checks: report.checks.filter((c) => c.status === 'pass' || c.status === 'fail') };
    const requests: string[] = [];
    let stream: Promise<string> = Promise.resolve('');
    const server = http.createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (req.method === 'GET' && req.url?.startsWith('/apis/wgpolicyk8s.io/v1alpha2/policyreports?')) {
        // One report whose text never ends (a broken proxy): read whole, it would grow memory until the process died.
        stream = writeEndlessLine(res, '{"kind":"PolicyReportList","metadata":{},"items":[{"metadata":{"name":"ztaudit","namespace":"a","annotations":{"x":"');
        return;
      }
      req.resume();
      res.end(JSON.stringify(req.method === 'GET' ? { kind: 'ClusterPolicyReportList', metadata: {}, items: [] } : {}));
    });
    const { client } = openKubeClient({ kubeconfigPath: await kubeconfigFor(server), env: {}, retries: 0 });
    try {
      const outcome = await writePolicyReports(full, client);
      expect(outcome.errors).toEqual(['list PolicyReport: reading the response failed: an object in the list is longer than 64 MiB, more than any object an API server stores (a broken stream?)']);
      // The server answered: the reports are still written; with no complete listing, none is deleted.
      expect(outcome.applied).toEqual(['PolicyReport/ci/ztaudit', 'PolicyReport/monitoring/ztaudit', 'PolicyReport/payments/ztaudit', 'ClusterPolicyReport/ztaudit']);
      expect(outcome.deleted).toEqual([]);
      expect(await stream).toBe('hung up');
      for (const r of requests.filter((q) => q.startsWith('GET '))) expect(r).toContain('&limit=100');
    } finally {
      client.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

/** A snapshot of the demo manifests as if taken from the API server at `server` (its URL). */
async function demoSnapshot(dir: string, server: string | undefined): Promise<string> {
  const cwd = join(import.meta.dirname, '../../..');
  const file = join(dir, 'demo.snap.json.gz');
  const code = await main(['snapshot', '--manifests', 'examples/demo-cluster', '-o', file, '-q'], { stdout: () => {}, stderr: () => {}, env: {}, isTTY: false, cwd });
  expect(code).toBe(0);
  const snapshot = await readSnapshot(file);
  writeSnapshot(file, { ...snapshot, cluster: { ...snapshot.cluster, server } });
  return file;
}

/** A stand-in API server that records each request and answers the lists with nothing and the writes with `refusals` in turn, then 200. */
function recordingApiServer(refusals: Array<{ status: number; message: string }> = []) {
  const seen: string[] = [];
  let patches = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push(`${req.method} ${req.url?.split('?')[0]}`);
      const refusal = req.method === 'PATCH' ? refusals[patches++] : undefined;
      res.writeHead(refusal?.status ?? 200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(refusal ? { kind: 'Status', status: 'Failure', message: refusal.message } : { items: [], metadata: {} }));
    });
  });
  return { server, seen };
}

describe('ztaudit run --policy-reports', () => {
  const cwd = join(import.meta.dirname, '../../..');
  const runArgs = (dir: string) => ['--config', 'examples/ztaudit.demo.yaml', '--out', join(dir, 'out'), '--format', 'json', '--history', join(dir, 'h.db'), '--no-notify', '--policy-reports'];
  const runsIn = (dir: string) => {
    const db = new DatabaseSync(join(dir, 'h.db'), { readOnly: true });
    try { return (db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n; } finally { db.close(); }
  };

  it('stores the run and exits as usual when the API server refuses reports; each refusal is one warning naming the report', async () => {
    const { server, seen } = recordingApiServer([
      { status: 403, message: 'policyreports.wgpolicyk8s.io "ztaudit" is forbidden:\nUser "system:serviceaccount:ztaudit:ztaudit" cannot create resource "policyreports"' },
      { status: 409, message: 'Operation cannot be fulfilled on policyreports.wgpolicyk8s.io "ztaudit": the object has been modified' },
      { status: 422, message: 'PolicyReport.wgpolicyk8s.io "ztaudit" is invalid: results[0].result: Unsupported value: "x"' },
    ]);
    const kubeconfig = await kubeconfigFor(server);
    try {
      const dir = mkdtempSync(join(tmpdir(), 'zt-polr-'));
      // A snapshot taken from this API server (the trailing slash makes no other server).
      const snap = await demoSnapshot(dir, `http://127.0.0.1:${(server.address() as { port: number }).port}/`);
      const err: string[] = [];
      const cli = { stdout: () => {}, stderr: (t: string) => err.push(t), env: { KUBECONFIG: kubeconfig }, isTTY: false, cwd };
      const code = await main(['run', '--snapshot', snap, ...runArgs(dir)], cli);
      expect(code, err.join('')).toBe(0);
      expect(runsIn(dir)).toBe(1);
      const lines = err.join('').trimEnd().split('\n').map((l) => JSON.parse(l) as { level: string; msg: string });
      const warnings = lines.filter((l) => l.level === 'warn' && l.msg.startsWith('policy reports:')).map((l) => l.msg);
      expect(warnings).toHaveLength(3);
      expect(warnings[0]).toMatch(/^policy reports: PolicyReport\/[a-z0-9-]+\/ztaudit: HTTP 403: policyreports.wgpolicyk8s.io "ztaudit" is forbidden:\\u000aUser /);
      expect(warnings[1]).toMatch(/^policy reports: PolicyReport\/[a-z0-9-]+\/ztaudit: HTTP 409: Operation cannot be fulfilled/);
      expect(warnings[2]).toMatch(/^policy reports: PolicyReport\/[a-z0-9-]+\/ztaudit: HTTP 422: PolicyReport.wgpolicyk8s.io "ztaudit" is invalid/);
      for (const w of warnings) expect(w).not.toMatch(/[\n\r]/);
      const written = seen.filter((s) => s.startsWith('PATCH')).length - 3;
      expect(lines.map((l) => l.msg)).toContain(`policy reports: ${written} written, 0 removed`);
      expect(written).toBeGreaterThan(0);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('refuses --manifests with --policy-reports before any work: the files\' findings would replace the cluster\'s reports', async () => {
    const { server, seen } = recordingApiServer();
    const kubeconfig = await kubeconfigFor(server);
    try {
      const dir = mkdtempSync(join(tmpdir(), 'zt-polr-'));
      const err: string[] = [];
      const cli = { stdout: () => {}, stderr: (t: string) => err.push(t), env: { KUBECONFIG: kubeconfig }, isTTY: false, cwd };
      const code = await main(['run', '--manifests', 'examples/demo-cluster', ...runArgs(dir)], cli);
      expect(code).toBe(2);
      expect(err.join('')).toMatch(/^ztaudit: --policy-reports writes a cluster's findings into that cluster; with --manifests .*leave one of the two flags out\n$/);
      expect(seen).toEqual([]);
      expect(existsSync(join(dir, 'h.db'))).toBe(false);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('publishes a snapshot\'s findings only to the cluster it was taken from: another one gets no request, and the run is stored as usual', async () => {
    const { server, seen } = recordingApiServer();
    const kubeconfig = await kubeconfigFor(server);
    try {
      for (const [from, reason] of [
        ['https://prod-eu-1.example:6443', /^policy reports: none written or removed: the snapshot was taken from https:\/\/prod-eu-1\.example:6443, but the reports would go to http:\/\/127\.0\.0\.1:\d+ \(the kubeconfig's cluster\)/],
        [undefined, /^policy reports: none written or removed: the snapshot names no API server/],
      ] as const) {
        const dir = mkdtempSync(join(tmpdir(), 'zt-polr-'));
        const snap = await demoSnapshot(dir, from);
        const err: string[] = [];
        const cli = { stdout: () => {}, stderr: (t: string) => err.push(t), env: { KUBECONFIG: kubeconfig }, isTTY: false, cwd };
        const code = await main(['run', '--snapshot', snap, ...runArgs(dir)], cli);
        expect(code, err.join('')).toBe(0);
        expect(runsIn(dir)).toBe(1);
        const warnings = err.join('').trimEnd().split('\n').map((l) => JSON.parse(l) as { level: string; msg: string }).filter((l) => l.msg.startsWith('policy reports:'));
        expect(warnings).toHaveLength(1);
        expect(warnings[0]!.level).toBe('warn');
        expect(warnings[0]!.msg).toMatch(reason);
      }
      expect(seen).toEqual([]);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

/**
 * A stand-in API server that keeps the PolicyReports applied to it (server-side apply, as a whole
 * object), lists them back and deletes them: what the cluster holds between runs.
 */
function policyReportStore() {
  const held = new Map<string, PolicyReportObject>(); // path -> object
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = decodeURIComponent(req.url!.split('?')[0]!);
      const reply = (status: number, body: unknown) => { res.writeHead(status, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(body)); };
      if (req.method === 'GET') {
        const plural = path.split('/').at(-1);
        return reply(200, { items: [...held].filter(([p]) => p.split('/').at(-2) === plural).map(([, o]) => o), metadata: {} });
      }
      if (req.method === 'PATCH') {
        const o = JSON.parse(Buffer.concat(chunks).toString('utf8')) as PolicyReportObject;
        held.set(path, o);
        return reply(200, o);
      }
      if (req.method === 'DELETE') {
        held.delete(path);
        return reply(200, {});
      }
      return reply(405, {});
    });
  });
  return { server, reports: () => [...held.values()] };
}

// DESIGN.md: "Missing data is not a fix": a check a run could not evaluate never has its findings
// reported as resolved, and the PolicyReports (wgpolicyk8s.io/v1alpha2: a `fail` result is an open
// finding) carry them as report.json and report.sarif do: from the run that last evaluated it,
// whichever process stored that run and whether or not it published (an ad-hoc `ztaudit run`
// without --policy-reports, a publish that failed: "a failure is a warning, never a lost run").
describe('ztaudit run --policy-reports after a run of the same history that published nothing', () => {
  const BASE = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app, namespace: shop}\n';
  const BACKDOOR = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: backdoor}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects:\n- {kind: ServiceAccount, name: app, namespace: shop}\n';
  /** Three runs of cluster prod on one history: `published` then `unpublished` (--policy-reports left out) evaluate, the third cannot list ClusterRoleBindings. */
  const runs = async (published: string, unpublished: string) => {
    const { server, reports } = policyReportStore();
    const kubeconfig = await kubeconfigFor(server);
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const dir = mkdtempSync(join(tmpdir(), 'zt-prcarried-'));
    const snapshot = async (name: string, manifests: string, blind = false) => {
      writeFileSync(join(dir, `${name}.yaml`), manifests);
      const file = join(dir, `${name}.snap.json.gz`);
      expect(await main(['snapshot', '--manifests', join(dir, `${name}.yaml`), '-o', file, '-q'], { stdout: () => {}, stderr: () => {}, env: {}, isTTY: false, cwd: dir })).toBe(0);
      const s = await readSnapshot(file);
      if (blind) {
        s.coverage.clusterrolebindings = { status: 'forbidden', detail: 'clusterrolebindings.rbac.authorization.k8s.io is forbidden' };
        delete s.resources.clusterrolebindings;
      }
      writeSnapshot(file, { ...s, cluster: { ...s.cluster, server: url } });
      return file;
    };
    const run = async (i: number, snap: string, publish: boolean) => {
      const err: string[] = [];
      await main(['run', '--snapshot', snap, '--cluster', 'prod', '--history', join(dir, 'h.db'), '--no-notify', '--out', join(dir, `r${i}`), '--format', 'json,sarif', ...(publish ? ['--policy-reports'] : [])],
        { stdout: () => {}, stderr: (t: string) => err.push(t), env: { KUBECONFIG: kubeconfig }, isTTY: false, cwd: dir });
      expect(err.join(''), `run ${i}`).not.toMatch(/policy reports: .*(not written|HTTP)/);
      return JSON.parse(readFileSync(join(dir, `r${i}`, 'report.json'), 'utf8')) as RunReport;
    };
    try {
      const first = await run(1, await snapshot('first', published), true);
      const second = await run(2, await snapshot('second', unpublished), false);
      const blind = await run(3, await snapshot('blind', BASE + BACKDOOR.replace(/^/, '---\n'), true), true);
      expect(blind.checks.find((c) => c.id === 'rbac.cluster-admin-binding')?.status).toBe('not-evaluated');
      const sarifCarried = (JSON.parse(readFileSync(join(dir, 'r3', 'report.sarif'), 'utf8')) as { runs: Array<{ results: Array<{ ruleId: string; partialFingerprints: Record<string, string>; properties: { carriedFrom?: string } }> }> })
        .runs[0]!.results.filter((r) => r.properties.carriedFrom !== undefined);
      return { first, second, blind, reports: reports(), sarifCarried };
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  };
  /** The results published as open (`fail`) that the run carries (properties.carriedFrom). */
  const failing = (reports: PolicyReportObject[]) => reports.flatMap((o) => o.results.filter((r) => r.result === 'fail' && r.properties.carriedFrom !== undefined).map((r) => ({ kind: o.kind, namespace: o.metadata.namespace, ...r })));

  it('a backdoor found by a run that did not publish: the blind run\'s PolicyReport for its namespace fails it, from that run, as its report.json and report.sarif carry it', async () => {
    const { second, blind, reports, sarifCarried } = await runs(BASE, BASE + '---\n' + BACKDOOR);
    const binding = second.findings.filter((f) => f.check === 'rbac.cluster-admin-binding');
    expect(binding.length).toBeGreaterThan(0);
    const carried = failing(reports);
    const open = (blind.run.lastEvaluatedOpen ?? []).reduce((n, e) => n + e.open.critical + e.open.high + e.open.medium + e.open.low, 0);
    expect(open).toBeGreaterThan(0);
    expect(carried).toHaveLength(open);
    expect(carried.every((r) => r.properties.carriedFrom === second.run.id)).toBe(true);
    expect(carried.map((r) => r.properties.fingerprint).sort()).toEqual(sarifCarried.map((r) => r.partialFingerprints['ztaudit/v1']).sort());
    expect(carried.filter((r) => r.policy === 'rbac.cluster-admin-binding')).toEqual(binding.map((f) => expect.objectContaining({ kind: 'PolicyReport', namespace: 'shop', severity: f.severity, scored: true, properties: expect.objectContaining({ fingerprint: f.fingerprint }) })));
    expect(reports.find((o) => o.kind === 'PolicyReport' && o.metadata.namespace === 'shop')?.metadata.annotations['ztaudit.dev/run-id']).toBe(blind.run.id);
  });

  it('a backdoor published, then fixed in a run that did not publish: the blind run\'s reports no longer fail it', async () => {
    const { first, second, blind, reports, sarifCarried } = await runs(BASE + '---\n' + BACKDOOR, BASE);
    expect(first.findings.some((f) => f.check === 'rbac.cluster-admin-binding')).toBe(true);
    expect(second.findings.some((f) => f.check === 'rbac.cluster-admin-binding')).toBe(false);
    expect(blind.run.lastEvaluatedOpen).toContainEqual({ check: 'rbac.cluster-admin-binding', runId: second.run.id, open: { critical: 0, high: 0, medium: 0, low: 0 } });
    expect(sarifCarried).toEqual([]);
    expect(failing(reports)).toEqual([]);
    expect(reports.flatMap((o) => o.results).filter((r) => r.policy === 'rbac.cluster-admin-binding' && r.result === 'fail')).toEqual([]);
    // Not evaluated, said where dashboards look.
    expect(reports.find((o) => o.kind === 'ClusterPolicyReport')!.results.filter((r) => r.policy === 'rbac.cluster-admin-binding').map((r) => r.result)).toEqual(['skip']);
  });
});

// results[].resources are ObjectReferences: apiVersion says which object
// (https://github.com/kubernetes-sigs/wg-policy-prototypes, PolicyReport v1alpha2 CRD). A Calico
// NetworkPolicy and a Kubernetes one may share namespace and name; each result points at its own.
const SAME_NAMES = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.27}]
---
apiVersion: crd.projectcalico.org/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec:
  selector: app == 'nothing-has-this'
  types: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec:
  podSelector: {matchLabels: {app: nothing-has-this}}
  policyTypes: [Ingress]
`;

describe('a Calico NetworkPolicy finding in a PolicyReport', () => {
  it('points at the Calico object (its apiVersion as read), a Kubernetes NetworkPolicy finding at networking.k8s.io/v1, fingerprints unchanged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-prcalico-'));
    writeFileSync(join(dir, 'a.yaml'), SAME_NAMES);
    const code = await main(['run', '--manifests', join(dir, 'a.yaml'), '--history', 'none', '--no-notify', '-q', '--out', join(dir, 'out'), '--format', 'json'], { stdout: () => {}, stderr: () => {}, env: {}, isTTY: false, cwd: dir });
    expect(code).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')) as RunReport;
    const selectsNothing = report.findings.filter((f) => f.check === 'network.policy-selects-nothing');
    const calico = selectsNothing.find((f) => f.message.startsWith('Calico'));
    const k8s = selectsNothing.find((f) => !f.message.startsWith('Calico'));
    expect(calico?.resource).toEqual({ kind: 'NetworkPolicy', namespace: 'shop', name: 'default-deny', apiVersion: 'crd.projectcalico.org/v1' });
    expect(k8s?.resource).toEqual({ kind: 'NetworkPolicy', namespace: 'shop', name: 'default-deny' });
    // Two objects, two findings: the fingerprints (the history diff's identity) differ, by the API
    // group alone (not the version, which depends on whether Calico's API server answered); the
    // Kubernetes one's is as it always was.
    expect(calico!.fingerprint).not.toBe(k8s!.fingerprint);
    expect(k8s!.fingerprint).toBe(fingerprintOf('network.policy-selects-nothing', { kind: 'NetworkPolicy', namespace: 'shop', name: 'default-deny' }));
    expect(calico!.fingerprint).toBe(fingerprintOf('network.policy-selects-nothing', { kind: 'NetworkPolicy', namespace: 'shop', name: 'default-deny', apiVersion: 'projectcalico.org/v3' }));
    const results = buildPolicyReports(report).find((o) => o.kind === 'PolicyReport' && o.metadata.namespace === 'shop')!.results;
    const of = (f: typeof calico) => results.find((r) => r.properties.fingerprint === f!.fingerprint)!.resources;
    expect(of(calico)).toEqual([{ apiVersion: 'crd.projectcalico.org/v1', kind: 'NetworkPolicy', namespace: 'shop', name: 'default-deny' }]);
    expect(of(k8s)).toEqual([{ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: 'shop', name: 'default-deny' }]);
  });
});

describe('notPublishable', () => {
  const snapshotRun = (server: string | undefined): RunReport => {
    const { report } = buildRun();
    return { ...report, run: { ...report.run, source: 'snapshot', cluster: { ...report.run.cluster, server } } };
  };

  it('lets a live run publish, and a snapshot to the same API server whatever its credentials and trailing slash', () => {
    const { report } = buildRun();
    expect(notPublishable({ ...report, run: { ...report.run, source: 'live', cluster: { ...report.run.cluster, server: 'https://a.example' } } }, 'https://b.example')).toBeNull();
    expect(notPublishable(snapshotRun('https://user:pw@api.example:6443/'), 'https://api.example:6443')).toBeNull();
    expect(notPublishable(snapshotRun('https://api.example:6443/k8s/clusters/c-1'), 'https://api.example:6443/k8s/clusters/c-1/')).toBeNull();
  });

  it('names both servers on one line, the snapshot\'s without credentials and escaped, when they differ', () => {
    const why = notPublishable(snapshotRun('https://user:pw@api.example:6443/k8s/clusters/c-1'), 'https://api.example:6443/k8s/clusters/c-2')!;
    expect(why).toBe('the snapshot was taken from https://api.example:6443/k8s/clusters/c-1, but the reports would go to https://api.example:6443/k8s/clusters/c-2 (the kubeconfig\'s cluster): choose that cluster\'s context, or leave --policy-reports out');
    const forged = notPublishable(snapshotRun('not a url\n{"level":"info","msg":"policy reports: 9 written"}'), 'https://api.example')!;
    expect(forged).not.toMatch(/[\n\r]/);
    expect(forged).toContain('not a url\\u000a');
  });
});
