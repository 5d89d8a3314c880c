// A waiver that names the role behind an RBAC finding (its related objects), not the subject,
// also covers every subject bound to that role later. Through the real check and diff: a new
// ServiceAccount bound to the waived role is listed as newly waived and is a regression.
import { describe, expect, it } from 'vitest';
import { clusterAdminBinding } from '../../../checks/rbac/cluster-admin-binding.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig, type WaiverConfig } from '../../../src/config/types.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { fingerprintOf } from '../../../src/engine/fingerprint.ts';
import { formatDiff } from '../../../src/cli/diff.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
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

  it('a waiver per role does not add up to the subject (each must cover every role); one naming the subject does, and the wildcards it now also covers are a regression (granted for fewer)', () => {
    const perRole = [roleWaiver, waiverOn({ kind: 'Role', namespace: 'payments', name: 'ops' })];
    expect(audit('run-2', ['deployer'], perRole, wildcardRoleFor('deployer')).findings.find((f) => f.fingerprint === deployer)?.waived).toBe(false);
    const subject = [waiverOn({ kind: 'ServiceAccount', namespace: 'ci', name: 'deployer' })];
    const first = audit('run-1', ['deployer'], subject);
    const second = audit('run-2', ['deployer'], subject, wildcardRoleFor('deployer'));
    expect(second.findings.find((f) => f.fingerprint === deployer)?.waived).toBe(true);
    expect(diffRuns(first, second, { rules: defaultConfig().regression, expiredWaivers: [] }).regressionReasons).toEqual(['waived finding grew beyond its waiver (rbac.wildcard-permission ServiceAccount ci/deployer): rbac.wildcard-permission on ServiceAccount ci/deployer widened: now also * * (*) in payments (1 → 2 wildcard permissions)']);
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

// The reviewer's reproduction: a waiver names the ClusterRoleBinding oncall-admins that makes
// Group oncall cluster-admin; a new ClusterRoleBinding break-glass grants the same Group
// cluster-admin. RBAC permissions are purely additive, a subject holds what any of its bindings
// grants (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#role-and-clusterrole),
// so the waiver no longer covers the finding. regression.expiredWaiver is about waivers that
// run out: turned off, it must not hide this grant.
describe('a waived cluster-admin Group granted again by a new ClusterRoleBinding', () => {
  const admins = (name: string): KubeObject => ({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'oncall' }],
  });
  const clusterAdmin: KubeObject = {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'cluster-admin' },
    rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }],
  };
  const waiver: WaiverConfig = {
    check: 'rbac.cluster-admin-binding', resource: { kind: 'ClusterRoleBinding', name: 'oncall-admins' },
    reason: 'on-call break-glass, reviewed quarterly', owner: 'sre@acme.example', expires: '2027-03-31',
  };
  const auditOf = (runId: string, objects: KubeObject[]) => {
    const at = new Date('2026-12-01T02:00:00Z');
    const config = defaultConfig();
    config.waivers = [waiver];
    const snapshot = snapshotFromObjects(objects, { clusterName: 'demo', collectedAt: at.toISOString() });
    return auditSnapshot({ snapshot, config, checks: [clusterAdminBinding], now: at, runId, startedAt: at });
  };

  it('is a regression, "no longer covered by its waiver", with regression.expiredWaiver true or false', () => {
    const first = auditOf('run-1', [clusterAdmin, admins('oncall-admins')]);
    const second = auditOf('run-2', [clusterAdmin, admins('oncall-admins'), admins('break-glass')]);
    expect(first.report.findings.map((f) => [f.resource.kind, f.resource.name, f.waived])).toEqual([['Group', 'oncall', true]]);
    expect(second.report.findings.map((f) => [f.resource.kind, f.resource.name, f.waived])).toEqual([['Group', 'oncall', false]]);
    expect(second.expiredWaivers).toEqual([]);
    for (const expiredWaiver of [true, false]) {
      const d = diffRuns(first.report, second.report, { rules: { ...defaultConfig().regression, expiredWaiver, areaScoreDrop: 0 }, expiredWaivers: second.expiredWaivers });
      expect(d.regression, `expiredWaiver: ${expiredWaiver}`).toBe(true);
      expect(d.regressionReasons).toEqual(['no longer covered by its waiver: rbac.cluster-admin-binding on Group oncall']);
    }
  });
});
