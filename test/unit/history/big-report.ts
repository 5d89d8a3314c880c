// Reports for store tests: a small one for history listings and a large one (megabytes of
// incompressible evidence) whose wholeness can be verified after a crash.
import { createHash, randomBytes } from 'node:crypto';
import { REPORT_SCHEMA_VERSION, type Finding, type RunReport } from '../../../src/run/types.ts';

export function makeReport(id: string, startedAt: string, options: { findings?: number; evidenceBytes?: number; cluster?: string; overall?: number } = {}): RunReport {
  const n = options.findings ?? 3;
  const findings: Finding[] = Array.from({ length: n }, (_, i) => ({
    fingerprint: createHash('sha256').update(`${id}/${i % 7 === 0 ? 'shared' : id}/${i}`).digest('hex').slice(0, 20),
    check: i % 2 === 0 ? 'rbac.wildcard-permission' : 'network.namespace-default-deny-ingress',
    area: i % 2 === 0 ? 'rbac' : 'network',
    severity: (['critical', 'high', 'medium', 'low'] as const)[i % 4],
    resource: { kind: i % 2 === 0 ? 'ClusterRole' : 'Namespace', ...(i % 2 === 0 ? {} : { namespace: `ns-${i}` }), name: `obj-${i}` },
    message: `finding ${i} of ${id}`,
    controls: ['NIST-800-53:AC-6'],
    evidence: options.evidenceBytes ? { blob: randomBytes(options.evidenceBytes).toString('base64') } : { i },
    waived: i % 11 === 5,
    ...(i % 11 === 5 ? { waiver: { reason: 'accepted', owner: 'team@example.com', expires: '2099-01-01' } } : {}),
  }));
  const digest = createHash('sha256').update(JSON.stringify(findings)).digest('hex');
  const overall = options.overall ?? 80;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    run: {
      id, startedAt, finishedAt: startedAt, cluster: { name: options.cluster ?? 'demo' }, source: 'manifests',
      coverage: { pods: { status: 'ok', count: 1 }, networkpolicies: { status: 'forbidden', detail: 'list networkpolicies' } },
      toolVersion: '0.1.0', checkCatalogVersion: 'test', notes: [`findings=${n}`, `sha256=${digest}`],
    },
    score: { overall, areas: { network: overall, tls: null, rbac: overall - 10, 'pod-security': null, mtls: null } },
    checks: [
      { id: 'rbac.wildcard-permission', area: 'rbac', title: 'Wildcard', severity: 'high', controls: [], remediation: 'Fix it.', evaluated: n, passed: 0, failed: n, waived: 0, status: 'fail' },
      { id: 'network.namespace-default-deny-ingress', area: 'network', title: 'Default deny', severity: 'high', controls: [], remediation: 'Fix it.', evaluated: n, passed: 0, failed: n, waived: 0, status: 'fail' },
    ],
    findings,
    diff: null,
    waivers: [],
    details: { rbac: { breadth: [{ subject: { kind: 'ServiceAccount', namespace: 'ci', name: 'deployer' }, breadth: 42 }] } },
    notifications: [],
  };
}

/** Whether a stored report is exactly what was written (findings count and digest). */
export function isWhole(report: RunReport): boolean {
  const [count, sha] = report.run.notes;
  return count === `findings=${report.findings.length}` &&
    sha === `sha256=${createHash('sha256').update(JSON.stringify(report.findings)).digest('hex')}`;
}

/** The report of a run that could not evaluate `checks` (a kind it could not read): not evaluated, no findings. */
export function blindTo(report: RunReport, checks: string[]): RunReport {
  const blind = new Set(checks);
  return {
    ...report,
    checks: report.checks.map((c) => (blind.has(c.id) ? { ...c, evaluated: 0, passed: 0, failed: 0, status: 'not-evaluated' as const, reason: 'forbidden' } : c)),
    findings: report.findings.filter((f) => !blind.has(f.check)),
  };
}

/**
 * `report` with an extent on each network finding (an aggregating one: a namespace's
 * unisolated workloads, hostile names among them), in its place after `resource`, and a diff
 * listing one widened: what every store must give back as it was (src/run/extent.ts).
 */
export function withExtents(report: RunReport): RunReport {
  report.findings = report.findings.map((f) => {
    if (f.area !== 'network') return f;
    const { fingerprint, check, area, severity, resource, ...rest } = f;
    const members = [`Deployment ${resource.namespace}/api`, `Deployment ${resource.namespace}/"web\\n<b>`];
    return { fingerprint, check, area, severity, resource, extent: { unit: 'workloads', count: 2, members }, ...rest };
  });
  const widened = report.findings.find((f) => f.extent)!;
  report.diff = {
    previousRunId: 'r0', previousStartedAt: '2026-10-31T02:00:00.000Z', new: [], resolved: [], persisting: report.findings.length,
    scoreDelta: { overall: 0, areas: { network: 0, tls: null, rbac: 0, 'pod-security': null, mtls: null } }, breadthGrowth: [], notComparable: [],
    widened: [{ fingerprint: widened.fingerprint, check: widened.check, resource: widened.resource, unit: 'workloads', before: 1, after: 2, added: [widened.extent!.members[1]!] }],
    partial: false, regression: true, regressionReasons: [`${widened.check} on Namespace ${widened.resource.name} widened: now also ${widened.extent!.members[1]} (1 → 2 workloads)`], newFindingReasons: 1,
  };
  return report;
}

/** Each finding's fingerprint and extent (none for most), as a store gave them back. */
export function extentsOf(report: RunReport): Array<[string, unknown]> {
  return report.findings.map((f) => [f.fingerprint, 'extent' in f ? f.extent : 'no key']);
}
