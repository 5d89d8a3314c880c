// A waiver that names the role behind an RBAC finding (its related objects), not the subject,
// also covers every subject bound to that role later. Through the real check and diff: a new
// ServiceAccount bound to the waived role is listed as newly waived and is a regression.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/types.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { fingerprintOf } from '../../../src/engine/fingerprint.ts';
import { formatDiff } from '../../../src/cli/diff.ts';
import { audit, CHECK, roleWaiver, twoRuns, waiverOn, wildcardRoleFor } from './widened-waiver.ts';

const newSa = fingerprintOf(CHECK, { kind: 'ServiceAccount', namespace: 'ci', name: 'new-sa' });

describe('a new finding a waiver covers only through related objects', () => {
  it('is listed as newly waived and is a regression naming the waiver and the new subject', () => {
    const report = twoRuns([roleWaiver]);
    // Waived as before (the waiver still holds, and scores nothing) ...
    expect(report.findings.find((f) => f.fingerprint === newSa)?.waived).toBe(true);
    const d = report.diff!;
    expect(d.new).toEqual([]);
    // ... but the diff names it, and it regresses.
    expect(d.newlyWaived).toEqual([{
      fingerprint: newSa, check: CHECK, resource: { kind: 'ServiceAccount', namespace: 'ci', name: 'new-sa' },
      waiver: { check: CHECK, resource: { kind: 'ClusterRole', name: 'ci-deployer' } }, throughRelated: true,
    }]);
    expect(d.regression).toBe(true);
    expect(d.regressionReasons).toEqual(['waiver rbac.wildcard-permission ClusterRole ci-deployer now also covers ServiceAccount ci/new-sa (new high finding)']);
  });

  it('a glob on the role (ci-*) widens the same way', () => {
    const d = twoRuns([waiverOn({ kind: 'ClusterRole', name: 'ci-*' })]).diff!;
    expect(d.regressionReasons).toEqual(['waiver rbac.wildcard-permission ClusterRole ci-* now also covers ServiceAccount ci/new-sa (new high finding)']);
  });

  it('is not a regression below the new-finding severity, nor with that rule off', () => {
    const first = audit('run-1', ['deployer'], [roleWaiver]);
    const second = audit('run-2', ['deployer', 'new-sa'], [roleWaiver]);
    for (const newFindingSeverity of ['critical', 'none'] as const) {
      const d = diffRuns(first, second, { rules: { ...defaultConfig().regression, newFindingSeverity }, expiredWaivers: [] });
      expect(d.regression).toBe(false);
      expect(d.newlyWaived?.map((n) => n.fingerprint)).toEqual([newSa]);
    }
  });
});

// The other way round: the subject the waiver covered gets a new grant. A Role grants in its
// namespace what a ClusterRole grants, and a subject's access is the union of its bindings
// (https://kubernetes.io/docs/reference/access-authn-authz/rbac/), so a waiver written for
// ClusterRole ci-deployer does not cover wildcards a new Role payments/ops gives the same subject.
describe('a waived subject that gets a new grant of the other kind of role', () => {
  const deployer = fingerprintOf(CHECK, { kind: 'ServiceAccount', namespace: 'ci', name: 'deployer' });

  it('a waiver on a ClusterRole no longer covers the finding once a RoleBinding grants a wildcard Role: "no longer covered by its waiver"', () => {
    const first = audit('run-1', ['deployer'], [roleWaiver]);
    const second = audit('run-2', ['deployer'], [roleWaiver], wildcardRoleFor('deployer'));
    expect(first.findings.find((f) => f.fingerprint === deployer)?.waived).toBe(true);
    const finding = second.findings.find((f) => f.fingerprint === deployer)!;
    // The finding names the new Role, and it is open now.
    expect(finding.message).toContain('Role payments/ops');
    expect(finding.waived).toBe(false);
    const d = diffRuns(first, second, { rules: { ...defaultConfig().regression, areaScoreDrop: 0 }, expiredWaivers: [] });
    expect(d.regression).toBe(true);
    expect(d.regressionReasons).toEqual(['no longer covered by its waiver: rbac.wildcard-permission on ServiceAccount ci/deployer']);
  });

  it('a waiver per role does not add up to the subject (each must cover every role); one naming the subject does, with no regression', () => {
    const perRole = [roleWaiver, waiverOn({ kind: 'Role', namespace: 'payments', name: 'ops' })];
    expect(audit('run-2', ['deployer'], perRole, wildcardRoleFor('deployer')).findings.find((f) => f.fingerprint === deployer)?.waived).toBe(false);
    const subject = [waiverOn({ kind: 'ServiceAccount', namespace: 'ci', name: 'deployer' })];
    const first = audit('run-1', ['deployer'], subject);
    const second = audit('run-2', ['deployer'], subject, wildcardRoleFor('deployer'));
    expect(second.findings.find((f) => f.fingerprint === deployer)?.waived).toBe(true);
    expect(diffRuns(first, second, { rules: defaultConfig().regression, expiredWaivers: [] }).regression).toBe(false);
  });
});

describe('newly waived findings that are not a widening', () => {
  it('a waiver naming the subject itself (by glob) lists the new finding but is no regression', () => {
    const d = twoRuns([waiverOn({ kind: 'ServiceAccount', namespace: 'ci', name: '*' })]).diff!;
    expect(d.newlyWaived).toEqual([expect.objectContaining({
      fingerprint: newSa, waiver: { check: CHECK, resource: { kind: 'ServiceAccount', namespace: 'ci', name: '*' } }, throughRelated: false,
    })]);
    expect(d.regression).toBe(false);
  });

  it('a subject waived by name as well as through its role is waived by name: no regression', () => {
    const d = twoRuns([roleWaiver, waiverOn({ kind: 'ServiceAccount', namespace: 'ci', name: 'new-sa' })]).diff!;
    expect(d.newlyWaived?.map((n) => [n.fingerprint, n.throughRelated])).toEqual([[newSa, false]]);
    expect(d.regression).toBe(false);
  });

  it('a waived finding that persists is neither listed nor a regression', () => {
    const d = twoRuns([roleWaiver], ['deployer']).diff!;
    expect(d.persisting).toBe(1);
    expect(d.newlyWaived).toBeUndefined();
    expect(d.regression).toBe(false);
  });

  it('a check evaluated for the first time lists what its waiver covers, without a regression', () => {
    const first = audit('run-1', ['deployer'], [roleWaiver]);
    // The check was switched off in the previous run: not applicable, no findings.
    first.findings = [];
    first.checks = first.checks.map((c) => ({ ...c, status: 'not-applicable', evaluated: 0, passed: 0, failed: 0, waived: 0, reason: 'disabled in config' }));
    const second = audit('run-2', ['deployer', 'new-sa'], [roleWaiver]);
    const d = diffRuns(first, second, { rules: defaultConfig().regression, expiredWaivers: [] });
    expect(d.firstEvaluated).toEqual([CHECK]);
    expect(d.newlyWaived?.map((n) => [n.resource.name, n.throughRelated])).toEqual([['deployer', true], ['new-sa', true]]);
    expect(d.regression).toBe(false);
  });
});

describe('ztaudit diff text', () => {
  it('lists the new findings a waiver covers, each with its waiver and whether only through related objects', () => {
    const report = twoRuns([roleWaiver, waiverOn({ kind: 'ServiceAccount', namespace: 'ci', name: 'named\u202e-*' })], ['deployer', 'new-sa', 'named\u202e-sa\nFORGED']);
    const previous = audit('run-1', ['deployer'], [roleWaiver]);
    const text = formatDiff(previous, report, report.diff!);
    expect(text).toContain('new findings: 0\nnew findings a waiver covers: 2\n'
      + '  ~ high     rbac.wildcard-permission on ServiceAccount ci/named\\u202e-sa\\u000aFORGED (waiver rbac.wildcard-permission ServiceAccount ci/named\\u202e-*)\n'
      + '  ~ high     rbac.wildcard-permission on ServiceAccount ci/new-sa (waiver rbac.wildcard-permission ClusterRole ci-deployer, only through related objects)\n'
      + 'resolved findings: 0\n');
    expect(text).not.toMatch(/^FORGED/m);
  });
});
