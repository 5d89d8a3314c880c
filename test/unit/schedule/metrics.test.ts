// /metrics text: a valid Prometheus exposition a scraper accepts, with the series an alert
// rule needs always present.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding, RunReport } from '../../../src/run/types.ts';
import { emptyMetricsState, lastEvaluated, renderMetrics } from '../../../src/schedule/metrics.ts';
import { rememberScores } from '../../../src/run/carried-scores.ts';
import { parseExposition } from './exposition.ts';

function finding(area: Finding['area'], severity: Finding['severity'], waived = false): Finding {
  return { fingerprint: `${area}-${severity}-${Math.random()}`, check: `${area}.x`, area, severity, resource: { kind: 'Pod', name: 'p' }, message: 'm', controls: [], waived };
}

function report(): RunReport {
  return {
    schemaVersion: 1,
    run: { id: 'r1', startedAt: '2026-11-26T02:00:00.000Z', finishedAt: '2026-11-26T02:00:03.000Z', cluster: { name: 'prod' }, source: 'live', coverage: {}, toolVersion: '0.1.0', checkCatalogVersion: '1', notes: [] },
    score: { overall: 72.5, areas: { network: 60, tls: null, rbac: 85, 'pod-security': 72.5, mtls: null } },
    checks: [],
    findings: [finding('network', 'high'), finding('network', 'high'), finding('rbac', 'critical'), finding('rbac', 'low', true)],
    diff: null,
    waivers: [],
    details: {},
    notifications: [{ channel: 'slack', status: 'failed', detail: 'x' }],
  };
}

describe('renderMetrics', () => {
  it('before any run: valid exposition, counters at zero, no scores or findings invented', () => {
    const f = parseExposition(renderMetrics(emptyMetricsState()));
    expect(f.get('ztaudit_up')!.samples).toEqual([{ labels: {}, value: 1 }]);
    expect(f.get('ztaudit_score')!.samples).toEqual([]);
    expect(f.get('ztaudit_findings')!.samples).toEqual([]);
    expect(f.get('ztaudit_last_success_timestamp_seconds')!.samples).toEqual([]);
    expect(f.get('ztaudit_runs_total')!.type).toBe('counter');
    expect(f.get('ztaudit_runs_total')!.samples.map((s) => [s.labels.result, s.value])).toEqual([['success', 0], ['error', 0], ['skipped', 0]]);
    expect(f.get('ztaudit_notification_failures_total')!.samples.map((s) => s.value)).toEqual([0, 0]);
  });

  it('after a run: scores per evaluated area, open findings per area and severity (zeros included), timestamps', () => {
    const state = emptyMetricsState();
    state.latest = report();
    state.lastDurationSeconds = 3.25;
    state.lastSuccessAt = new Date('2026-11-26T02:00:03.900Z');
    state.runsTotal.success = 2;
    state.runsTotal.skipped = 1;
    state.notificationFailuresTotal.slack = 1;
    const f = parseExposition(renderMetrics(state));
    const scores = Object.fromEntries(f.get('ztaudit_score')!.samples.map((s) => [s.labels.area, s.value]));
    expect(scores).toEqual({ network: 60, rbac: 85, 'pod-security': 72.5 }); // tls and mtls were not evaluated: absent
    expect(f.get('ztaudit_score_overall')!.samples[0]!.value).toBe(72.5);
    const findings = f.get('ztaudit_findings')!.samples;
    expect(findings).toHaveLength(5 * 4);
    const count = (area: string, severity: string) => findings.find((s) => s.labels.area === area && s.labels.severity === severity)!.value;
    expect(count('network', 'high')).toBe(2);
    expect(count('rbac', 'critical')).toBe(1);
    expect(count('rbac', 'low')).toBe(0); // waived findings are not open
    expect(count('tls', 'critical')).toBe(0);
    expect(f.get('ztaudit_findings_waived')!.samples.find((s) => s.labels.area === 'rbac' && s.labels.severity === 'low')!.value).toBe(1);
    expect(f.get('ztaudit_run_duration_seconds')!.samples[0]!.value).toBe(3.25);
    expect(f.get('ztaudit_last_success_timestamp_seconds')!.samples[0]!.value).toBe(1795658403);
    expect(f.get('ztaudit_runs_total')!.samples.find((s) => s.labels.result === 'skipped')!.value).toBe(1);
    expect(f.get('ztaudit_notification_failures_total')!.samples.find((s) => s.labels.channel === 'slack')!.value).toBe(1);
  });

  it('says how many checks of each area were not evaluated, and whether the run was partial', () => {
    const state = emptyMetricsState();
    const r = report();
    const check = (id: string, area: Finding['area'], status: RunReport['checks'][number]['status']) => ({
      id, area, title: id, severity: 'high' as const, controls: [], remediation: '', evaluated: 0, passed: 0, failed: 0, waived: 0, status,
    });
    r.checks = [check('network.a', 'network', 'pass'), check('network.b', 'network', 'not-evaluated'), check('network.c', 'network', 'error'),
      check('rbac.a', 'rbac', 'fail'), check('mtls.a', 'mtls', 'not-applicable')];
    r.run.partial = ['networkpolicies could not be read (error: list networkpolicies.networking.k8s.io failed: connection refused)'];
    state.latest = r;
    const f = parseExposition(renderMetrics(state));
    const missing = Object.fromEntries(f.get('ztaudit_checks_not_evaluated')!.samples.map((s) => [s.labels.area, s.value]));
    expect(missing).toEqual({ network: 2, tls: 0, rbac: 0, 'pod-security': 0, mtls: 0 });
    expect(f.get('ztaudit_run_partial')!.samples).toEqual([{ labels: {}, value: 1 }]);
    expect(parseExposition(renderMetrics(emptyMetricsState())).get('ztaudit_checks_not_evaluated')!.samples).toEqual([]);
  });

  it('a check the run could not evaluate counts with its findings of the last run that did; one switched off (not applicable) does not', () => {
    const check = (id: string, status: RunReport['checks'][number]['status']) => ({
      id, area: 'rbac' as const, title: id, severity: 'critical' as const, controls: [], remediation: '', evaluated: 0, passed: 0, failed: 0, waived: 0, status,
    });
    // Every run's config waives rbac.0 on Pod w, as serve's config is the same for all its runs.
    const waivers: RunReport['waivers'] = [{ check: 'rbac.0', resource: { kind: 'Pod', name: 'w' }, reason: 'r', owner: 'o', expires: '2099-12-31', state: 'active', matched: 1 }];
    const run = (id: string, statuses: Array<RunReport['checks'][number]['status']>, findings: Finding[]): RunReport => ({ ...report(), run: { ...report().run, id }, checks: statuses.map((s, i) => check(`rbac.${i}`, s)), findings, waivers });
    const rbac = (checkIndex: number, waived = false): Finding => ({ ...finding('rbac', 'critical', waived), check: `rbac.${checkIndex}`, ...(waived ? { resource: { kind: 'Pod', name: 'w' } } : {}) });
    const shown = (state: ReturnType<typeof emptyMetricsState>) => {
      const f = parseExposition(renderMetrics(state));
      const at = (name: string) => f.get(name)!.samples.find((s) => s.labels.area === 'rbac' && s.labels.severity === 'critical')!.value;
      return [at('ztaudit_findings'), at('ztaudit_findings_waived')];
    };
    const state = emptyMetricsState();
    // r1 evaluates both checks: rbac.0 has two open findings and a waived one, rbac.1 one.
    const r1 = run('r1', ['fail', 'fail'], [rbac(0), rbac(0), rbac(0, true), rbac(1)]);
    state.lastEvaluated = lastEvaluated(state.lastEvaluated, r1);
    state.latest = r1;
    expect(shown(state)).toEqual([3, 1]);
    // r2 and r3 cannot read what rbac.0 needs: its findings of r1 still count; rbac.1 is judged anew.
    for (const id of ['r2', 'r3']) {
      const blind = run(id, ['not-evaluated', 'pass'], []);
      state.lastEvaluated = lastEvaluated(state.lastEvaluated, blind);
      state.latest = blind;
      expect(shown(state), id).toEqual([2, 1]);
    }
    // Switched off: nothing to carry, then or later.
    const off = run('r4', ['not-applicable', 'pass'], []);
    state.lastEvaluated = lastEvaluated(state.lastEvaluated, off);
    state.latest = off;
    expect(shown(state)).toEqual([0, 0]);
    const blindAgain = run('r5', ['error', 'pass'], []);
    state.lastEvaluated = lastEvaluated(state.lastEvaluated, blindAgain);
    state.latest = blindAgain;
    expect(shown(state)).toEqual([0, 0]);
  });

  // README: an expired waiver's findings count again; missing data is not a fix.
  it('a carried waived finding counts as open once its waiver has expired by the blind run, and a daemon just started carries what the run states', () => {
    const check = (id: string, status: RunReport['checks'][number]['status']) => ({
      id, area: 'rbac' as const, title: id, severity: 'critical' as const, controls: [], remediation: '', evaluated: 0, passed: 0, failed: 0, waived: 0, status,
    });
    // The config waives two pods until two dates (the same waivers in every run, as serve's config is).
    const waiverOf = (expires: string): RunReport['waivers'][number] => ({ check: 'rbac.0', resource: { kind: 'Pod', name: `w-${expires}` }, reason: 'r', owner: 'o', expires, state: 'active', matched: 1 });
    const run = (id: string, startedAt: string, status: RunReport['checks'][number]['status'], findings: Finding[]): RunReport =>
      ({ ...report(), run: { ...report().run, id, startedAt }, checks: [check('rbac.0', status)], findings, waivers: [waiverOf('2026-11-26'), waiverOf('2026-12-31')] });
    const waivedUntil = (expires: string): Finding => ({ ...finding('rbac', 'critical', true), check: 'rbac.0', resource: { kind: 'Pod', name: `w-${expires}` }, waiver: { reason: 'r', owner: 'o', expires } });
    const shown = (state: ReturnType<typeof emptyMetricsState>) => {
      const f = parseExposition(renderMetrics(state));
      const at = (name: string) => f.get(name)!.samples.find((s) => s.labels.area === 'rbac' && s.labels.severity === 'critical')!.value;
      return [at('ztaudit_findings'), at('ztaudit_findings_waived')];
    };
    const state = emptyMetricsState();
    const r1 = run('r1', '2026-11-26T02:00:00.000Z', 'fail', [{ ...finding('rbac', 'critical'), check: 'rbac.0' }, waivedUntil('2026-11-26'), waivedUntil('2026-12-31')]);
    state.lastEvaluated = lastEvaluated(state.lastEvaluated, r1);
    state.latest = r1;
    expect(shown(state)).toEqual([1, 2]);
    // Still the waiver's day (UTC), then the day after: one of the two waivers has expired.
    for (const [id, startedAt, counts] of [['r2', '2026-11-26T23:00:00.000Z', [1, 2]], ['r3', '2026-11-27T01:00:00.000Z', [2, 1]], ['r4', '2026-11-28T01:00:00.000Z', [2, 1]]] as const) {
      const blind = run(id, startedAt, 'not-evaluated', []);
      state.lastEvaluated = lastEvaluated(state.lastEvaluated, blind);
      state.latest = blind;
      expect(shown(state), id).toEqual(counts);
    }
    // serve restarted: the daemon saw no run evaluate rbac.0; the stored run states what it carries.
    const restarted = emptyMetricsState();
    const stored = { ...run('r5', '2026-11-28T02:00:00.000Z', 'not-evaluated', []) };
    stored.run.lastEvaluatedOpen = [{ check: 'rbac.0', runId: 'r1', open: { critical: 2, high: 0, medium: 0, low: 0 } }];
    restarted.lastEvaluated = lastEvaluated(restarted.lastEvaluated, stored);
    restarted.latest = stored;
    expect(shown(restarted)).toEqual([2, 0]);
  });

  // docs/deploy.md (Metrics): a blind check counts with its findings of the last stored run that
  // evaluated it, as /report.json states them, whichever process stored that run.
  it('a blind run stating a newer evaluating run than the daemon saw counts as it states, zeros included; the same run keeps what the daemon holds', () => {
    const check = (status: RunReport['checks'][number]['status']) => ({
      id: 'rbac.0', area: 'rbac' as const, title: 'rbac.0', severity: 'critical' as const, controls: [], remediation: '', evaluated: 0, passed: 0, failed: 0, waived: 0, status,
    });
    const run = (id: string, status: RunReport['checks'][number]['status'], findings: Finding[], lastEvaluatedOpen?: NonNullable<RunReport['run']['lastEvaluatedOpen']>): RunReport =>
      ({ ...report(), run: { ...report().run, id, ...(lastEvaluatedOpen ? { lastEvaluatedOpen } : {}) }, checks: [check(status)], findings, waivers: [] });
    const critical = (r1: RunReport, blind: RunReport) => {
      const state = emptyMetricsState();
      state.lastEvaluated = lastEvaluated(lastEvaluated(undefined, r1), blind);
      state.latest = blind;
      return parseExposition(renderMetrics(state)).get('ztaudit_findings')!.samples.find((s) => s.labels.area === 'rbac' && s.labels.severity === 'critical')!.value;
    };
    const open = (critical: number) => ({ critical, high: 0, medium: 0, low: 0 });
    const r1 = run('r1', 'fail', [{ ...finding('rbac', 'critical'), check: 'rbac.0' }, { ...finding('rbac', 'critical'), check: 'rbac.0' }]);
    const clean = run('r1', 'pass', []);
    // Another process stored r2 between: it found the backdoor fixed, or found one this daemon never saw.
    expect(critical(r1, run('r3', 'not-evaluated', [], [{ check: 'rbac.0', runId: 'r2', open: open(0) }]))).toBe(0);
    expect(critical(clean, run('r3', 'not-evaluated', [], [{ check: 'rbac.0', runId: 'r2', open: open(3) }]))).toBe(3);
    // The run this daemon saw is the one stated: what it holds.
    expect(critical(r1, run('r3', 'not-evaluated', [], [{ check: 'rbac.0', runId: 'r1', open: open(2) }]))).toBe(2);
  });

  // docs/deploy.md (Metrics): ztaudit_findings counts a blind check's findings "as /report.json
  // states them (run.lastEvaluatedOpen) … whichever process stored that run". Another process
  // stored a run with the check switched off: the carried search ends there with nothing, so the
  // next partial run, diffed against the stored runs, states nothing for it. The backdoor this
  // daemon saw in r1 is not counted, as /report.json and the fleet do not count it.
  it('a blind run diffed against the stored runs that states nothing for a check carries nothing for it; without history the daemon carries what it saw', () => {
    const check = (status: RunReport['checks'][number]['status']) => ({
      id: 'rbac.0', area: 'rbac' as const, title: 'rbac.0', severity: 'critical' as const, controls: [], remediation: '', evaluated: 0, passed: 0, failed: 0, waived: 0, status,
    });
    const r1: RunReport = { ...report(), checks: [check('fail')], findings: [{ ...finding('rbac', 'critical'), check: 'rbac.0' }], waivers: [] };
    const diffed = { ...report().diff, previousRunId: 'r2' } as unknown as RunReport['diff'];
    const blind = (diff: RunReport['diff']): RunReport => ({ ...report(), run: { ...report().run, id: 'r3' }, checks: [check('not-evaluated')], findings: [], diff, waivers: [] });
    const critical = (r3: RunReport) => {
      const state = emptyMetricsState();
      state.lastEvaluated = lastEvaluated(lastEvaluated(undefined, r1), r3);
      state.latest = r3;
      return parseExposition(renderMetrics(state)).get('ztaudit_findings')!.samples.find((s) => s.labels.area === 'rbac' && s.labels.severity === 'critical')!.value;
    };
    expect(critical(blind(diffed))).toBe(0);
    // --history none: no stored run to state anything; what this daemon saw in r1 still counts.
    expect(critical(blind(null))).toBe(1);
  });

  // docs/deploy.md (Metrics): ztaudit_findings_waived is "waived findings in the latest stored
  // run, carried the same way" as ztaudit_findings, so a blind check's waived findings count as
  // the run states them (lastEvaluatedOpen waivedBySeverity), whoever stored the run evaluating it.
  it('a blind run stating waived findings of a run the daemon did not see counts them in ztaudit_findings_waived, by severity', () => {
    const check = (status: RunReport['checks'][number]['status']) => ({
      id: 'rbac.0', area: 'rbac' as const, title: 'rbac.0', severity: 'critical' as const, controls: [], remediation: '', evaluated: 0, passed: 0, failed: 0, waived: 0, status,
    });
    type Entry = NonNullable<RunReport['run']['lastEvaluatedOpen']>[number];
    const run = (id: string, status: RunReport['checks'][number]['status'], lastEvaluatedOpen?: Entry[]): RunReport =>
      ({ ...report(), run: { ...report().run, id, ...(lastEvaluatedOpen ? { lastEvaluatedOpen } : {}) }, checks: [check(status)], findings: [], waivers: [] });
    const counts = (critical: number, high = 0) => ({ critical, high, medium: 0, low: 0 });
    const shown = (state: ReturnType<typeof emptyMetricsState>) => {
      const f = parseExposition(renderMetrics(state));
      const at = (name: string, severity: string) => f.get(name)!.samples.find((s) => s.labels.area === 'rbac' && s.labels.severity === severity)!.value;
      return { open: at('ztaudit_findings', 'critical'), waivedCritical: at('ztaudit_findings_waived', 'critical'), waivedHigh: at('ztaudit_findings_waived', 'high') };
    };
    const after = (state: ReturnType<typeof emptyMetricsState>, r: RunReport) => {
      state.lastEvaluated = lastEvaluated(state.lastEvaluated, r);
      state.latest = r;
      return shown(state);
    };
    // The daemon saw r1 clean; another process stored r2, which found a waived critical and a waived high.
    const state = emptyMetricsState();
    after(state, run('r1', 'pass'));
    expect(after(state, run('r3', 'not-evaluated', [{ check: 'rbac.0', runId: 'r2', open: counts(0), waived: 2, waivedBySeverity: counts(1, 1) }])))
      .toEqual({ open: 0, waivedCritical: 1, waivedHigh: 1 });
    // The next blind run states the same run, the critical one's waiver expired: open now, as it states.
    expect(after(state, run('r4', 'not-evaluated', [{ check: 'rbac.0', runId: 'r2', open: counts(1), waived: 1, waivedBySeverity: counts(0, 1) }])))
      .toEqual({ open: 1, waivedCritical: 0, waivedHigh: 1 });
    // serve restarted on a run stored by an earlier version: a bare count, no severity to put it under, so 0 (as before).
    const restarted = emptyMetricsState();
    expect(after(restarted, run('r5', 'not-evaluated', [{ check: 'rbac.0', runId: 'r2', open: counts(0), waived: 2 }])))
      .toEqual({ open: 0, waivedCritical: 0, waivedHigh: 0 });
  });

  // README (Configuration): waivers are the config's. A carried finding is waived by the waivers of
  // the run that carries it (report.json's waivers), as that run's report.json counts it.
  it("a carried waived finding is waived or open by the blind run's own waivers, not by the waiver stored with it", () => {
    const check = (status: RunReport['checks'][number]['status']) => ({
      id: 'rbac.0', area: 'rbac' as const, title: 'rbac.0', severity: 'critical' as const, controls: [], remediation: '', evaluated: 0, passed: 0, failed: 0, waived: 0, status,
    });
    const waiver = (name: string, expires: string): RunReport['waivers'][number] => ({ check: 'rbac.0', resource: { kind: 'Pod', name }, reason: 'r', owner: 'o', expires, state: 'active', matched: 1 });
    const waived = (name: string, expires: string): Finding => ({ ...finding('rbac', 'critical', true), check: 'rbac.0', resource: { kind: 'Pod', name }, waiver: { reason: 'r', owner: 'o', expires } });
    const run = (id: string, status: RunReport['checks'][number]['status'], waivers: RunReport['waivers'], findings: Finding[] = []): RunReport =>
      ({ ...report(), run: { ...report().run, id, startedAt: '2026-11-26T02:00:00.000Z' }, checks: [check(status)], findings, waivers });
    const shown = (r1: RunReport, blind: RunReport) => {
      const state = emptyMetricsState();
      state.lastEvaluated = lastEvaluated(lastEvaluated(undefined, r1), blind);
      state.latest = blind;
      const f = parseExposition(renderMetrics(state));
      const at = (name: string) => f.get(name)!.samples.find((s) => s.labels.area === 'rbac' && s.labels.severity === 'critical')!.value;
      return [at('ztaudit_findings'), at('ztaudit_findings_waived')];
    };
    // r1 waives pods a and b until 2027, c by a glob until the end of 2026 (and by its own waiver, ending today).
    const r1 = run('r1', 'fail', [waiver('a', '2027-06-30'), waiver('b', '2027-06-30'), waiver('c', '2026-11-26'), waiver('c*', '2026-12-31')],
      [waived('a', '2027-06-30'), waived('b', '2027-06-30'), waived('c', '2026-11-26')]);
    // The same config: all three stay waived.
    expect(shown(r1, run('r2', 'not-evaluated', r1.waivers))).toEqual([0, 3]);
    // a's waiver removed, b's ended yesterday, c's own gone: a and b count again, c stays waived by the glob.
    expect(shown(r1, run('r2', 'not-evaluated', [waiver('b', '2026-11-25'), waiver('c*', '2026-12-31')]))).toEqual([2, 1]);
    // No waiver at all: every carried finding is open.
    expect(shown(r1, run('r2', 'not-evaluated', []))).toEqual([3, 0]);
  });

  it('a partial run never publishes an overall above the last complete run\'s, even where an area it scored in part rose; with nothing to carry, such an area is NaN (not known)', () => {
    const check = (id: string, status: RunReport['checks'][number]['status']) => ({
      id, area: id.split('.')[0] as Finding['area'], title: id, severity: 'high' as const, controls: [], remediation: '', evaluated: 1, passed: 0, failed: 0, waived: 0, status,
    });
    const full = report();
    full.score = { overall: 38.4, areas: { network: 0, tls: null, rbac: 95.1, 'pod-security': 20, mtls: null } };
    full.checks = [check('network.a', 'fail'), check('rbac.a', 'pass'), check('pod-security.a', 'fail'), check('pod-security.b', 'fail')];
    // The failing pod-security check went blind too: the area's score over what is left rose to 60.
    const blind = { ...report(), run: { ...report().run, id: 'r2' }, score: { overall: 77.9, areas: { network: null, tls: null, rbac: 95.7, 'pod-security': 60, mtls: null } } };
    blind.checks = [check('network.a', 'not-evaluated'), check('rbac.a', 'pass'), check('pod-security.a', 'fail'), check('pod-security.b', 'not-evaluated')];
    const state = emptyMetricsState();
    state.latest = blind;
    state.scores = rememberScores(rememberScores(undefined, full), blind);
    let f = parseExposition(renderMetrics(state));
    const byArea = (name: string) => Object.fromEntries(f.get(name)!.samples.map((s) => [s.labels.area, s.value]));
    expect(byArea('ztaudit_score')).toEqual({ network: 0, rbac: 95.7, 'pod-security': 20 }); // 60 over what was left: no more than when all was read
    expect(byArea('ztaudit_score_carried')).toEqual({ network: 1, rbac: 0, 'pod-security': 1 });
    expect(f.get('ztaudit_score_overall')!.samples[0]!.value).toBe(38.4); // (0 + 95.7 + 60) / 3 = 51.9 would read as a fix
    // A daemon that never saw network or pod-security scored whole has no score to carry: both
    // are NaN (not known; a valid sample value, https://prometheus.io/docs/instrumenting/exposition_formats/,
    // "Text format details": "NaN, +Inf, and -Inf are valid values"), never 0, 100 or the 60 over
    // what was left, and the series stays. The overall is not known either.
    state.scores = rememberScores(undefined, blind);
    f = parseExposition(renderMetrics(state));
    const samples = f.get('ztaudit_score')!.samples;
    expect(samples.map((s) => s.labels.area)).toEqual(['network', 'rbac', 'pod-security']);
    expect(samples.map((s) => s.value)).toEqual([NaN, 95.7, NaN]);
    expect(f.get('ztaudit_score_carried')!.samples.map((s) => s.value)).toEqual([0, 0, 0]);
    expect(f.get('ztaudit_score_overall')!.samples.map((s) => s.value)).toEqual([NaN]);
  });

  // Reviewer's repro (/tmp/rev-revhist/carry): a first-ever run that could not read the
  // NetworkPolicies evaluated one network check of nine (passing) and /metrics said network 100.
  it('a first-ever partial run publishes NaN, not 100, for an area it evaluated one check of', () => {
    const check = (id: string, status: RunReport['checks'][number]['status']) => ({
      id, area: id.split('.')[0] as Finding['area'], title: id, severity: 'high' as const, controls: [], remediation: '', evaluated: 1, passed: 1, failed: 0, waived: 0, status,
    });
    const first = { ...report(), score: { overall: 97.8, areas: { network: 100, tls: null, rbac: 95.7, 'pod-security': null, mtls: null } } };
    first.checks = [check('network.a', 'pass'), ...['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((x) => check(`network.${x}`, 'not-evaluated')), check('rbac.a', 'pass')];
    const state = emptyMetricsState();
    state.latest = first;
    state.scores = rememberScores(undefined, first);
    const text = renderMetrics(state);
    expect(text).toContain('ztaudit_score{area="network"} NaN\n');
    expect(text).not.toContain('ztaudit_score{area="network"} 100');
    expect(text).toContain('ztaudit_score{area="rbac"} 95.7\n');
    expect(text).toContain('ztaudit_score_overall NaN\n');
  });

  it('escapes label values: a hostile one cannot close its quote, forge a sample or read back as another value', () => {
    // A backslash before `n` or `"`, a quote that would close the value, a line feed that
    // would start a sample of another family.
    const names = ['C:\\new', 'a\\"b', 'x"} 1\nztaudit_up 0\n# HELP', 'ends\\', '\\\\n', 'line\nbreak'];
    const state = emptyMetricsState();
    names.forEach((name, i) => { state.notificationFailuresTotal[name] = 100 + i; });
    const text = renderMetrics(state);
    const f = parseExposition(text);
    expect(f.get('ztaudit_up')!.samples).toEqual([{ labels: {}, value: 1 }]);
    const back = f.get('ztaudit_notification_failures_total')!.samples.filter((s) => s.value >= 100);
    expect(back.map((s) => [s.labels.channel, s.value])).toEqual(names.map((name, i) => [name, 100 + i]));
    expect(text).toContain('channel="C:\\\\new"');
  });
});

// docs/deploy.md's ZtauditNotRunning rule, evaluated on what /metrics exposes. PromQL
// (https://prometheus.io/docs/prometheus/latest/querying/operators/#logical-set-binary-operators):
// "vector1 or vector2 results in a vector that contains all original elements (label sets +
// values) of vector1 and additionally all elements of vector2 which do not have matching label
// sets in vector1"; a comparison with a scalar drops the elements for which it is false, and an
// alert fires while its expression returns an element. ztaudit_start_time_seconds follows
// process_start_time_seconds (https://prometheus.io/docs/instrumenting/writing_clientlibs/#process-metrics).
describe('the documented "not running" alert', () => {
  const rule = /- alert: ZtauditNotRunning[^\n]*\n\s+expr: (.+)\n/.exec(readFileSync(join(import.meta.dirname, '../../../docs/deploy.md'), 'utf8'));
  const expr = rule?.[1]?.trim() ?? '';
  // The one form this reader evaluates; a rule rewritten otherwise fails here, to be read again.
  const form = /^time\(\) - \((\w+) or (\w+)\) > (\d+) \* (\d+)$/.exec(expr);

  /** Whether the rule fires at `now` over the samples `metrics` exposes (one target: no labels but the scrape's). */
  function fires(metrics: string, now: Date): boolean {
    const f = parseExposition(metrics);
    const [, left, right, a, b] = form!;
    const vector = (name: string) => f.get(name)?.samples ?? [];
    const either = vector(left!).length > 0 ? vector(left!) : vector(right!);
    return either.some((s) => now.getTime() / 1000 - s.value > Number(a) * Number(b));
  }

  it('is documented in the form this test reads', () => {
    expect(expr).toBe('time() - (ztaudit_last_success_timestamp_seconds or ztaudit_start_time_seconds) > 2 * 86400');
    expect(form).not.toBeNull();
  });

  it('a daemon whose every run failed: the rule has a series to read, and fires two days after the start', () => {
    const started = new Date('2026-12-01T00:00:00Z');
    const state = emptyMetricsState(started);
    state.runsTotal.error = 3;
    const text = renderMetrics(state);
    expect(parseExposition(text).get('ztaudit_last_success_timestamp_seconds')!.samples).toEqual([]);
    expect(parseExposition(text).get('ztaudit_start_time_seconds')!.samples).toEqual([{ labels: {}, value: started.getTime() / 1000 }]);
    expect(fires(text, new Date('2026-12-02T23:00:00Z'))).toBe(false);
    expect(fires(text, new Date('2026-12-03T00:00:01Z'))).toBe(true);
  });

  it('once a run succeeded, its time counts, not the start', () => {
    const state = emptyMetricsState(new Date('2026-12-01T00:00:00Z'));
    state.runsTotal.success = 1;
    state.lastSuccessAt = new Date('2026-12-02T02:00:00Z');
    expect(fires(renderMetrics(state), new Date('2026-12-03T12:00:00Z'))).toBe(false);
    expect(fires(renderMetrics(state), new Date('2026-12-04T02:00:01Z'))).toBe(true);
  });
});
