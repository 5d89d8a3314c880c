// A small fleet for the fleet tests: three clusters (one with a hostile name), runs over a few
// days, a regression inside the window and one outside it, findings that recur across
// clusters under generated names, and waivers about to expire.
import { createHash } from 'node:crypto';
import { REPORT_SCHEMA_VERSION, type Finding, type RunReport, type WaiverStatus } from '../../../src/run/types.ts';

/** Markup, a Slack ping and a right-to-left override (U+202E), which would reverse what follows it. */
export const HOSTILE = '<script>alert(1)</script>@here\u202e';
export const NOW = new Date('2026-11-10T12:00:00.000Z');

function finding(cluster: string, check: string, severity: Finding['severity'], kind: string, namespace: string | undefined, name: string, waived = false): Finding {
  return {
    fingerprint: createHash('sha256').update([check, kind, namespace ?? '', name].join('\0')).digest('hex').slice(0, 20),
    check, area: check.split('.')[0] as Finding['area'], severity, resource: { kind, ...(namespace ? { namespace } : {}), name },
    message: `${check} on ${name} in ${cluster}`, controls: ['NIST-800-53:AC-6'], evidence: { cluster }, waived,
    ...(waived ? { waiver: { reason: 'accepted', owner: 'team@example.com', expires: '2026-11-20' } } : {}),
  };
}

/** `opts.hash`: a pod's pod-template-hash and suffix, in Kubernetes' generated-name alphabet (src/history/shape.ts). */
export function fleetRun(cluster: string, id: string, startedAt: string, overall: number, opts: { regression?: string[]; previous?: RunReport; hash?: string } = {}): RunReport {
  const hash = opts.hash ?? '7d9f8c6b5d-x2k9p';
  const findings: Finding[] = [
    finding(cluster, 'rbac.anonymous-access', 'medium', 'Group', undefined, 'system:authenticated'),
    finding(cluster, 'pod-security.pod-violates-target', 'high', 'Pod', 'shop', `web-${hash}`),
    finding(cluster, 'network.namespace-default-deny-ingress', 'high', 'Namespace', undefined, `team-${cluster}`),
    finding(cluster, 'rbac.wildcard-permission', 'critical', 'ClusterRole', undefined, 'ops-admin', true),
  ];
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    run: { id, startedAt, finishedAt: startedAt, cluster: { name: cluster }, source: 'live', coverage: {}, toolVersion: '0.1.0', checkCatalogVersion: 't', notes: [] },
    score: { overall, areas: { network: overall - 5, tls: null, rbac: overall + 5 > 100 ? 100 : overall + 5, 'pod-security': overall - 20, mtls: null } },
    checks: [],
    findings,
    diff: opts.previous ? {
      previousRunId: opts.previous.run.id, previousStartedAt: opts.previous.run.startedAt, new: [], resolved: [], persisting: 3,
      scoreDelta: { overall: overall - (opts.previous.score.overall ?? 0), areas: { network: null, tls: null, rbac: null, 'pod-security': null, mtls: null } },
      breadthGrowth: [], notComparable: [], partial: false, regression: Boolean(opts.regression?.length), regressionReasons: opts.regression ?? [],
    } : null,
    waivers: [{ check: 'rbac.wildcard-permission', resource: { kind: 'ClusterRole', name: 'ops-admin' }, reason: 'accepted', owner: 'team@example.com', expires: '2026-11-20', state: 'expiring-soon', matched: 1 }],
    details: {},
    notifications: [],
  };
}

/** The fleet's runs, oldest first. */
export function fleetRuns(): RunReport[] {
  const out: RunReport[] = [];
  const a1 = fleetRun('alpha', '20261101T020000Z-a00001', '2026-11-01T02:00:00.000Z', 80);
  const a2 = fleetRun('alpha', '20261102T020000Z-a00002', '2026-11-02T02:00:00.000Z', 70, { previous: a1, regression: ['overall score dropped 10.0 points (old regression, outside the window)'] });
  const a3 = fleetRun('alpha', '20261110T020000Z-a00003', '2026-11-10T02:00:00.000Z', 60, { previous: a2, regression: ['2 new high findings', 'pod-security score dropped 10.0 points'] });
  const b1 = fleetRun('beta', '20261109T030000Z-b00001', '2026-11-09T03:00:00.000Z', 90, { hash: '5c4b7f9d8-q8w2z' });
  const b2 = fleetRun('beta', '20261110T030000Z-b00002', '2026-11-10T03:00:00.000Z', 92.5, { previous: b1, hash: '6f5d8c7b9-z9w8x' });
  const h1 = fleetRun(HOSTILE, '20261110T040000Z-h00001', '2026-11-10T04:00:00.000Z', 40, { hash: '8b7c6d5f4-m2n4p' });
  out.push(a1, a2, b1, a3, b2, h1);
  return out;
}

/**
 * A stored run's waivers as the fleet report states them at its own time (NOW, 2026-11-10 12:00
 * UTC), each stored with the state its run gave it on 2026-10-27: README "valid through that day,
 * UTC", expiring-soon within 14 days. Shared with test/postgres/cli.test.ts.
 */
export function runWithTimedWaivers(): RunReport {
  const run = fleetRun('gamma', '20261027T020000Z-g00001', '2026-10-27T02:00:00.000Z', 70);
  const waiver = (name: string, expires: string, state: WaiverStatus['state']): WaiverStatus => ({
    check: 'rbac.wildcard-permission', resource: { kind: 'ClusterRole', name }, reason: 'accepted', owner: 'team@example.com', expires, state, matched: state === 'unmatched' ? 0 : 1,
  });
  run.waivers = [
    waiver('lapsed-yesterday', '2026-11-09', 'expiring-soon'),
    waiver('last-day-today', '2026-11-10', 'active'),
    waiver('in-13-days', '2026-11-23', 'active'),
    waiver('in-15-days', '2026-11-25', 'active'),
    waiver('typo', '2026-11-12', 'unmatched'),
    // Its check was blind in the run: the findings it waives are carried, and come back when it expires.
    waiver('blind-in-5-days', '2026-11-15', 'not-evaluated'),
    // Its check did not apply (switched off in config, no mesh): nothing is carried, its expiry
    // brings nothing back — not listed, or one config shared by a fleet lists every cluster.
    { ...waiver('off-in-5-days', '2026-11-15', 'not-evaluated'), matched: 0, notEvaluated: 'disabled in config', notApplicable: true },
  ];
  return run;
}

/**
 * prod's latest run could not read ClusterRoleBindings (rbac.cluster-admin-binding not
 * evaluated, as in the run before it) and found rbac.nodes-proxy not applicable; its first run
 * evaluated both and found each on User dev. old, audited fully, has the same binding.
 * Shared with test/postgres/cli.test.ts.
 */
export function runsWithBlindLatest(): { runs: RunReport[]; first: RunReport; latest: RunReport } {
  const onDev = (run: RunReport, check: string, severity: Finding['severity']): Finding =>
    finding(run.run.cluster.name, check, severity, 'User', undefined, 'dev');
  const check = (id: string, status: 'not-evaluated' | 'not-applicable') => ({
    id, area: 'rbac' as const, title: id, severity: 'critical' as const, controls: [], remediation: '', evaluated: 0, passed: 0, failed: 0, waived: 0, status,
    ...(status === 'not-evaluated' ? { unreadable: ['clusterrolebindings'] } : {}),
  });
  const old = fleetRun('old', '20261110T010000Z-o00001', '2026-11-10T01:00:00.000Z', 50);
  old.findings.push(onDev(old, 'rbac.cluster-admin-binding', 'critical'));
  const first = fleetRun('prod', '20261110T020000Z-p00001', '2026-11-10T02:00:00.000Z', 40);
  first.findings.push(onDev(first, 'rbac.cluster-admin-binding', 'critical'), onDev(first, 'rbac.nodes-proxy', 'high'));
  const blind = (id: string, startedAt: string, previous: RunReport) => {
    const run = fleetRun('prod', id, startedAt, 60, { previous });
    run.checks = [check('rbac.cluster-admin-binding', 'not-evaluated'), check('rbac.nodes-proxy', 'not-applicable')];
    run.run.coverage = { clusterrolebindings: { status: 'forbidden' } };
    run.run.partial = ['clusterrolebindings could not be read (forbidden)'];
    return run;
  };
  const second = blind('20261110T030000Z-p00002', '2026-11-10T03:00:00.000Z', first);
  second.checks = [check('rbac.cluster-admin-binding', 'not-evaluated')];
  const latest = blind('20261110T040000Z-p00003', '2026-11-10T04:00:00.000Z', second);
  return { runs: [old, first, second, latest], first, latest };
}

/**
 * lapsed's first run evaluated rbac.cluster-admin-binding and found User dev, waived through
 * 2026-11-09 (UTC); its latest run, on 2026-11-10, could not read ClusterRoleBindings. README:
 * an expired waiver's findings count again, and missing data is not a fix: the finding is
 * carried as open. Shared with test/postgres/cli.test.ts.
 */
export function runsWithExpiredCarriedWaiver(): { runs: RunReport[]; first: RunReport; latest: RunReport } {
  const first = fleetRun('lapsed', '20261109T020000Z-l00001', '2026-11-09T02:00:00.000Z', 40);
  const dev = finding('lapsed', 'rbac.cluster-admin-binding', 'critical', 'User', undefined, 'dev', true);
  first.findings.push({ ...dev, waiver: { ...dev.waiver!, expires: '2026-11-09' } });
  first.checks = [{ id: 'rbac.cluster-admin-binding', area: 'rbac', title: 'rbac.cluster-admin-binding', severity: 'critical', controls: [], remediation: '', evaluated: 1, passed: 0, failed: 1, waived: 1, status: 'fail' }];
  const latest = fleetRun('lapsed', '20261110T020000Z-l00002', '2026-11-10T02:00:00.000Z', 60, { previous: first });
  latest.checks = [{ ...first.checks[0], evaluated: 0, failed: 0, waived: 0, status: 'not-evaluated', unreadable: ['clusterrolebindings'] }];
  latest.run.coverage = { clusterrolebindings: { status: 'forbidden' } };
  latest.run.partial = ['clusterrolebindings could not be read (forbidden)'];
  // Its config still has the waiver, expired, as the run says.
  latest.waivers.push({ check: 'rbac.cluster-admin-binding', resource: { kind: 'User', name: 'dev' }, reason: 'accepted', owner: 'team@example.com', expires: '2026-11-09', state: 'expired', matched: 0 });
  return { runs: [first, latest], first, latest };
}

/**
 * Three clusters whose first run evaluated rbac.cluster-admin-binding and found User dev, and
 * whose latest run (2026-11-10) could not read ClusterRoleBindings, its config changed since:
 * `dropped` waived dev until the end of 2026 and no longer does; `added` did not and now does;
 * `shortened` waived it until the end of 2026 and now only until 2026-11-09. README
 * (Configuration): the latest run's waivers decide the carried finding, as its report counts
 * it: open on dropped and shortened, waived on added. Shared with test/postgres/cli.test.ts.
 */
export function runsWithRewaivedCarried(): { runs: RunReport[]; firsts: Record<string, RunReport> } {
  const waiver = (expires: string, state: WaiverStatus['state']): WaiverStatus => ({ check: 'rbac.cluster-admin-binding', resource: { kind: 'User', name: 'dev' }, reason: 'accepted', owner: 'team@example.com', expires, state, matched: state === 'active' ? 1 : 0 });
  const runs: RunReport[] = [];
  const firsts: Record<string, RunReport> = {};
  for (const [i, [cluster, before, now]] of ([['dropped', '2026-12-31', null], ['added', null, '2026-12-31'], ['shortened', '2026-12-31', '2026-11-09']] as const).entries()) {
    const first = fleetRun(cluster, `20261109T020000Z-w0000${i}`, '2026-11-09T02:00:00.000Z', 40);
    const dev = finding(cluster, 'rbac.cluster-admin-binding', 'critical', 'User', undefined, 'dev', before !== null);
    first.findings.push(before !== null ? { ...dev, waiver: { ...dev.waiver!, expires: before } } : dev);
    if (before !== null) first.waivers.push(waiver(before, 'active'));
    first.checks = [{ id: 'rbac.cluster-admin-binding', area: 'rbac', title: 'rbac.cluster-admin-binding', severity: 'critical', controls: [], remediation: '', evaluated: 1, passed: 0, failed: before === null ? 1 : 0, waived: before === null ? 0 : 1, status: before === null ? 'fail' : 'pass' }];
    const latest = fleetRun(cluster, `20261110T020000Z-w0000${i}`, '2026-11-10T02:00:00.000Z', 60, { previous: first });
    latest.checks = [{ ...first.checks[0], evaluated: 0, failed: 0, waived: 0, status: 'not-evaluated', unreadable: ['clusterrolebindings'] }];
    latest.run.coverage = { clusterrolebindings: { status: 'forbidden' } };
    latest.run.partial = ['clusterrolebindings could not be read (forbidden)'];
    if (now !== null) latest.waivers.push(waiver(now, now < '2026-11-10' ? 'expired' : 'not-evaluated'));
    runs.push(first, latest);
    firsts[cluster] = first;
  }
  return { runs, firsts };
}

/**
 * prod as in runsWithBlindLatest (its newest readable run carries rbac.cluster-admin-binding on
 * User dev from its first run), then a newer run whose summary the test damages (`unreadable`):
 * prod's state now is unknown. ok and old are audited fully; every run's waiver on ops-admin
 * expires 2026-11-20 (expiring soon at NOW). Shared with test/postgres/fleet-unreadable-latest.test.ts.
 */
export function runsWithUnreadableLatest(): { runs: RunReport[]; unreadable: RunReport } {
  const { runs, latest } = runsWithBlindLatest();
  const unreadable = fleetRun('prod', '20261110T050000Z-p00004', '2026-11-10T05:00:00.000Z', 90, { previous: latest });
  return { runs: [...runs, fleetRun('ok', '20261110T013000Z-k00001', '2026-11-10T01:30:00.000Z', 95), unreadable], unreadable };
}

/**
 * alpha's latest run regressed in the window; so did beta's run b2, but beta has a newer run
 * (`unreadable`), whose summary the test damages: beta's state now is unknown, and b2's
 * regression is not it. `at(h)`: the time h hours before the fleet report's (NOW by default;
 * a test through `ztaudit fleet`, which reads the clock, passes the clock's). Without alpha's
 * regression (`withAlpha` false) alpha's latest run is its first, which did not regress.
 * Shared with test/unit/fleet/digest.test.ts and test/postgres/fleet-unreadable-latest.test.ts.
 */
export function runsWithRegressionBeforeUnreadable(at: (hoursAgo: number) => string = (h) => new Date(NOW.getTime() - h * 3_600_000).toISOString(), withAlpha = true): { runs: RunReport[]; regressed: RunReport; unreadable: RunReport } {
  const a1 = fleetRun('alpha', '20261109T020000Z-a00001', at(34), 80);
  const a2 = fleetRun('alpha', '20261110T020000Z-a00002', at(10), 60, { previous: a1, regression: ['2 new high findings'] });
  const b1 = fleetRun('beta', '20261109T030000Z-b00001', at(33), 90);
  const regressed = fleetRun('beta', '20261110T030000Z-b00002', at(9), 70, { previous: b1, regression: ['new critical finding'] });
  const unreadable = fleetRun('beta', '20261110T050000Z-b00003', at(7), 95, { previous: regressed });
  return { runs: [a1, ...(withAlpha ? [a2] : []), b1, regressed, unreadable], regressed, unreadable };
}

/**
 * A flood of regressions in the last 24 h of `at`'s clock, oldest first: one of "victim", then
 * 511 later ones (more than the 500 rows the regressions list once stopped at), within the
 * default retention of 90 runs per cluster: 10 of each of flap-00 … flap-49, then 11 of "flappy".
 */
export function regressionFlood(at: (hoursAgo: number) => string = (h) => new Date(NOW.getTime() - h * 3_600_000).toISOString()): RunReport[] {
  const names = ['victim', ...Array.from({ length: 50 }, (_, i) => `flap-${String(i).padStart(2, '0')}`), 'flappy'];
  const first = new Map(names.map((name) => [name, fleetRun(name, `${name}-0`, at(23.5), 90)]));
  const runs = [...first.values()];
  const regress = (name: string, n: number, hoursAgo: number) => runs.push(fleetRun(name, `${name}-${String(n).padStart(2, '0')}`, at(hoursAgo), 60, { previous: first.get(name), regression: [`${name} regression ${n}`] }));
  regress('victim', 1, 23);
  let t = 22;
  for (let n = 1; n <= 10; n++) for (let c = 0; c < 50; c++) regress(`flap-${String(c).padStart(2, '0')}`, n, (t -= 0.035));
  for (let n = 1; n <= 11; n++) regress('flappy', n, (t -= 0.035));
  return runs;
}
