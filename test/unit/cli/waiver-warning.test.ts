// What `ztaudit run` says of a waiver that matches nothing: "matches no finding" invites deleting
// it, which is right only when its findings are gone. One that covered a finding still open, or
// names the Role/ClusterRole a finding stems from beside another it does not name (a RoleBinding's
// Role adds to what ClusterRoleBindings grant: https://kubernetes.io/docs/reference/access-authn-authz/rbac/),
// says which finding it no longer covers instead.
import { describe, expect, it } from 'vitest';
import { waiverWarning } from '../../../src/cli/run.ts';
import { applyWaivers, noteCoveredBefore } from '../../../src/run/waivers.ts';
import type { Finding, WaiverStatus } from '../../../src/run/types.ts';

const waiver = { check: 'rbac.wildcard-permission', resource: { kind: 'ClusterRole', name: 'ci-deployer' }, reason: 'CI', owner: 'platform@acme.example', expires: '2099-03-31' };
const now = new Date('2026-12-02T00:00:00Z');
const sa = { kind: 'ServiceAccount', namespace: 'kube-system', name: 'ci-deployer' };
const finding = (over: Partial<Finding> = {}) => ({
  fingerprint: 'fp-sa', check: 'rbac.wildcard-permission', resource: sa, status: 'fail',
  related: [{ kind: 'ClusterRole', name: 'ci-deployer' }, { kind: 'ClusterRoleBinding', name: 'ci-deployer' }, { kind: 'Role', namespace: 'payments', name: 'ops' }, { kind: 'RoleBinding', namespace: 'payments', name: 'ops' }],
  ...over,
});
const WHAT = 'waiver for rbac.wildcard-permission on ClusterRole ci-deployer (owner platform@acme.example)';

describe('the warning of a waiver that matches no finding', () => {
  it('says "matches no finding" when no open finding of its check is about it', () => {
    const [s] = applyWaivers([waiver], [finding({ related: [{ kind: 'ClusterRole', name: 'other' }] })], now, [{ id: waiver.check, status: 'fail' }]).statuses;
    expect(s).toMatchObject({ state: 'unmatched', matched: 0 });
    expect(s!.openFinding).toBeUndefined();
    expect(waiverWarning(s!)).toBe(`${WHAT} matches no finding: fixed, or a typo in the resource?`);
  });

  it('names the open finding that stems from the ClusterRole it names and from a Role it does not', () => {
    const [s] = applyWaivers([waiver], [finding()], now, [{ id: waiver.check, status: 'fail' }]).statuses;
    expect(s).toMatchObject({ state: 'unmatched', matched: 0, openFinding: { fingerprint: 'fp-sa', resource: sa, more: 0, notNamed: { kind: 'Role', namespace: 'payments', name: 'ops' } } });
    expect(waiverWarning(s!)).toBe(`${WHAT} does not cover the open finding on ServiceAccount kube-system/ci-deployer: it also stems from Role payments/ops, which the waiver does not name; the finding counts, the waiver is not stale`);
  });

  it('leaves out a finding another waiver covers: it is not open', () => {
    const other = { ...waiver, resource: { kind: 'ServiceAccount', namespace: 'kube-system', name: 'ci-deployer' } };
    const [s] = applyWaivers([waiver, other], [finding()], now, [{ id: waiver.check, status: 'fail' }]).statuses;
    expect(s).toMatchObject({ state: 'unmatched' });
    expect(s!.openFinding).toBeUndefined();
  });

  it('says it no longer covers the finding it covered in the compared run, which is still open', () => {
    const { statuses } = applyWaivers([waiver], [finding({ related: [{ kind: 'ClusterRole', name: 'ci-deployer-v2' }] })], now, [{ id: waiver.check, status: 'fail' }]);
    const previous = [{ fingerprint: 'fp-sa', check: waiver.check, resource: sa, waived: true, waiver: { reason: 'CI', owner: 'platform@acme.example', expires: '2099-03-31' } }];
    noteCoveredBefore(statuses, [{ ...finding(), waived: false }], previous, () => 'run-1');
    expect(statuses[0]!.openFinding).toEqual({ fingerprint: 'fp-sa', resource: sa, more: 0, coveredIn: 'run-1' });
    expect(waiverWarning(statuses[0]!)).toBe(`${WHAT} no longer covers the open finding on ServiceAccount kube-system/ci-deployer, which it covered in run run-1: the objects it stems from changed, or the waiver did; the finding counts, the waiver is not stale`);
    // Resolved since: the waiver's finding is gone, it matches no finding.
    const gone = applyWaivers([waiver], [], now, [{ id: waiver.check, status: 'pass' }]).statuses;
    noteCoveredBefore(gone, [], previous, () => 'run-1');
    expect(waiverWarning(gone[0]!)).toBe(`${WHAT} matches no finding: fixed, or a typo in the resource?`);
  });

  // Waivers are often written in batches, alike but for their resource. One for legacy-b (its
  // Deployment deleted: fixed) must not inherit the finding of legacy-a, whose waiver was removed
  // on purpose: it names neither that finding's resource nor anything it stems from.
  it('does not credit a stale waiver with the finding of another alike but for its resource', () => {
    const batch = { check: 'pod-security.pod-violates-target', reason: 'legacy', owner: 'apps@acme.example', expires: '2099-03-31' };
    const legacyB = { ...batch, resource: { kind: 'Deployment', namespace: 'shop', name: 'legacy-b' } };
    const a = { kind: 'Deployment', namespace: 'shop', name: 'legacy-a' };
    const { statuses } = applyWaivers([legacyB], [{ fingerprint: 'fp-a', check: batch.check, resource: a, status: 'fail' }], now, [{ id: batch.check, status: 'fail' }]);
    const previous = [{ fingerprint: 'fp-a', check: batch.check, resource: a, waived: true, waiver: { reason: 'legacy', owner: 'apps@acme.example', expires: '2099-03-31' } }];
    noteCoveredBefore(statuses, [{ fingerprint: 'fp-a', check: batch.check, resource: a, waived: false }], previous, () => 'run-1');
    expect(statuses[0]!.openFinding).toBeUndefined();
    expect(waiverWarning(statuses[0]!)).toBe('waiver for pod-security.pod-violates-target on Deployment shop legacy-b (owner apps@acme.example) matches no finding: fixed, or a typo in the resource?');
  });

  it('keeps a hostile resource name on its one line', () => {
    const s: WaiverStatus = { ...waiver, state: 'unmatched', matched: 0, openFinding: { fingerprint: 'x', resource: { kind: 'ServiceAccount', namespace: 'ci', name: 'a\nztaudit: all clear' }, more: 2, coveredIn: 'run-1' } };
    const line = waiverWarning(s)!;
    expect(line).not.toContain('\n');
    expect(line).toContain('ServiceAccount ci/a\\u000aztaudit: all clear (and 2 more), which it covered in run run-1');
  });
});

// A waiver of a check switched off in the same config (checks.<id>.enabled: false) was told
// "matches no finding: fixed, or a typo?" — deleted on that advice, the findings come back
// unwaived the day the check is switched on again. The check did not run: it says so.
describe('the warning of a waiver whose check did not run', () => {
  it('says the check was not evaluated, switched off in config, rather than "fixed"', () => {
    const [s] = applyWaivers([waiver], [], now, [{ id: waiver.check, status: 'not-applicable', reason: 'disabled in config' }]).statuses;
    expect(s).toMatchObject({ state: 'not-evaluated', matched: 0, notEvaluated: 'disabled in config' });
    expect(waiverWarning(s!)).toBe(`${WHAT} could not be checked: rbac.wildcard-permission was not evaluated (disabled in config)`);
  });

  it('still says "matches no finding" when the check ran and passed', () => {
    const [s] = applyWaivers([waiver], [], now, [{ id: waiver.check, status: 'pass' }]).statuses;
    expect(s).toMatchObject({ state: 'unmatched' });
  });
});

describe('a waiver whose check did not apply', () => {
  it('is marked notApplicable (its expiry brings nothing back); a blind check\'s is not', () => {
    const [off] = applyWaivers([waiver], [], now, [{ id: waiver.check, status: 'not-applicable', reason: 'disabled in config' }]).statuses;
    expect(off).toMatchObject({ state: 'not-evaluated', notApplicable: true });
    const [blind] = applyWaivers([waiver], [], now, [{ id: waiver.check, status: 'not-evaluated', reason: 'clusterroles could not be listed' }]).statuses;
    expect(blind).toMatchObject({ state: 'not-evaluated', notEvaluated: 'clusterroles could not be listed' });
    expect(blind!.notApplicable).toBeUndefined();
  });
});
