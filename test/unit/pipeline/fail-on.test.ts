// --fail-on is a CI gate: it cannot vouch for what the audit did not see. A check not
// evaluated because an input exists but could not be read (a 403, a failed list) meets any
// --fail-on but never; one not evaluated because its API is not installed does not.
import { describe, expect, it } from 'vitest';
import { failOnReason } from '../../../src/pipeline/pipeline.ts';
import { coverageGaps } from '../../../src/run/coverage.ts';
import type { RunReport } from '../../../src/run/types.ts';

type Check = { id: string; status: string; unreadable?: string[] };

function report(opts: { coverage?: Record<string, { status: string }>; checks?: Check[]; findings?: Array<{ severity: string; waived?: boolean }>; regression?: string[] }): RunReport {
  return {
    run: { id: 'r2', coverage: opts.coverage ?? {} },
    checks: (opts.checks ?? []).map((c) => ({ area: 'network', ...c })),
    findings: (opts.findings ?? []).map((f) => ({ waived: false, ...f })),
    diff: opts.regression ? { previousRunId: 'r1', regression: true, regressionReasons: opts.regression } : null,
  } as unknown as RunReport;
}

const BLIND = {
  coverage: { pods: { status: 'forbidden' }, networkpolicies: { status: 'error' }, ingresses: { status: 'absent' }, namespaces: { status: 'ok' } },
  checks: [
    { id: 'network.namespace-default-deny-ingress', status: 'not-evaluated', unreadable: ['pods', 'networkpolicies'] },
    { id: 'network.namespace-default-deny-egress', status: 'not-evaluated', unreadable: ['pods', 'networkpolicies'] },
    { id: 'pod-security.pod-violates-target', status: 'not-evaluated', unreadable: ['pods'] },
    { id: 'tls.ingress-without-tls', status: 'not-evaluated' }, // needs ingresses: absent
    { id: 'pod-security.enforce-missing', status: 'pass' },
    { id: 'mtls.linkerd-unauthenticated-default', status: 'not-applicable' },
  ],
};

describe('failOnReason', () => {
  it('meets critical, high and regression when checks could not read an input, naming how many and why', () => {
    for (const failOn of ['critical', 'high', 'regression'] as const) {
      expect(failOnReason(report(BLIND), failOn)).toBe(`3 checks not evaluated (pods forbidden, networkpolicies error) (--fail-on ${failOn}: a check that could not run cannot pass the gate)`);
    }
    expect(failOnReason(report(BLIND), 'never')).toBeNull();
  });

  it('does not count a check not evaluated only because its API is absent (CRD not installed)', () => {
    const absentOnly = report({ coverage: BLIND.coverage, checks: BLIND.checks.filter((c) => c.unreadable === undefined) });
    for (const failOn of ['critical', 'high', 'regression', 'never'] as const) expect(failOnReason(absentOnly, failOn)).toBeNull();
  });

  it('says the findings first, then the gaps, when both hold', () => {
    const r = report({ ...BLIND, findings: [{ severity: 'critical' }, { severity: 'high' }, { severity: 'high' }, { severity: 'critical', waived: true }] });
    expect(failOnReason(r, 'high')).toBe('1 critical finding and 2 high findings; 3 checks not evaluated (pods forbidden, networkpolicies error) (--fail-on high: a check that could not run cannot pass the gate)');
    expect(failOnReason(report({ ...BLIND, regression: ['new critical finding: x'] }), 'regression')).toBe('a regression since run r1: new critical finding: x; 3 checks not evaluated (pods forbidden, networkpolicies error) (--fail-on regression: a check that could not run cannot pass the gate)');
  });

  it('keeps the findings-only reason as it was when nothing is blind', () => {
    const r = report({ findings: [{ severity: 'critical' }, { severity: 'critical' }, { severity: 'high' }] });
    expect(failOnReason(r, 'critical')).toBe('2 critical findings (--fail-on critical)');
    expect(failOnReason(r, 'high')).toBe('2 critical findings and 1 high finding (--fail-on high)');
    expect(failOnReason(report({}), 'high')).toBeNull();
  });

  it('counts a check that failed to run, and a kind the snapshot never collected', () => {
    const r = report({ checks: [{ id: 'rbac.wildcard-permission', status: 'error' }, { id: 'rbac.cluster-admin-binding', status: 'not-evaluated', unreadable: ['clusterrolebindings'] }] });
    expect(failOnReason(r, 'critical')).toBe('2 checks not evaluated (rbac.wildcard-permission failed, clusterrolebindings not collected) (--fail-on critical: a check that could not run cannot pass the gate)');
  });

  it('keeps a hostile kind name on its one line and shows at most five causes', () => {
    const kinds = ['a\nztaudit: audit passed, exit 0', 'b', 'c', 'd', 'e', 'f', 'g'];
    const r = report({ coverage: Object.fromEntries(kinds.map((k) => [k, { status: 'forbidden' }])), checks: kinds.map((k, i) => ({ id: `c${i}`, status: 'not-evaluated', unreadable: [k] })) });
    const line = failOnReason(r, 'high')!;
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toBe('7 checks not evaluated (a\\u000aztaudit: audit passed, exit 0 forbidden, b forbidden, c forbidden, d forbidden, e forbidden, and 2 more) (--fail-on high: a check that could not run cannot pass the gate)');
  });

  it('--accept-forbidden: a 403 on an accepted kind is no gap; a failed read of it, or another kind, still is', () => {
    const accept = new Set(['pods']);
    // Blind for pods (accepted) and networkpolicies (an error): still a gap, named by the error only.
    expect(failOnReason(report(BLIND), 'high', accept)).toBe('2 checks not evaluated (networkpolicies error) (--fail-on high: a check that could not run cannot pass the gate)');
    expect(failOnReason(report(BLIND), 'high', new Set(['pods', 'networkpolicies']))).toBe('2 checks not evaluated (networkpolicies error) (--fail-on high: a check that could not run cannot pass the gate)');
    const podsOnly = report({ coverage: BLIND.coverage, checks: BLIND.checks.filter((c) => c.id !== 'network.namespace-default-deny-egress' && c.id !== 'network.namespace-default-deny-ingress') });
    expect(failOnReason(podsOnly, 'high')).not.toBeNull();
    expect(failOnReason(podsOnly, 'high', accept)).toBeNull();
  });

  it('orders the causes by how many checks each blinds', () => {
    expect(coverageGaps(report(BLIND))).toEqual({ checks: 3, causes: ['pods forbidden', 'networkpolicies error'] });
  });
});
