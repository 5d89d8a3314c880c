import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/types.ts';
import { diffRuns, expiredWaiversOf } from '../../../src/diff/diff.ts';
import { fingerprintOf } from '../../../src/engine/fingerprint.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { auditObjects, clusterRole, deployment, netpol, ns } from './fake-checks.ts';

const rules = () => defaultConfig().regression;
const fp = {
  shopDeny: fingerprintOf('network.fake-default-deny', { kind: 'Namespace', name: 'shop' }),
  webDeny: fingerprintOf('network.fake-default-deny', { kind: 'Namespace', name: 'web' }),
  apiPriv: fingerprintOf('pod-security.fake-privileged', { kind: 'Deployment', namespace: 'shop', name: 'api' }),
  frontendPriv: fingerprintOf('pod-security.fake-privileged', { kind: 'Deployment', namespace: 'web', name: 'frontend' }),
  ci: fingerprintOf('rbac.fake-wildcard', { kind: 'ClusterRole', name: 'ci-deployer' }),
};

// Run A: shop lacks a policy, api is privileged, ci-deployer has '*'.
const manifestsA = [ns('shop'), ns('web'), netpol('web'), deployment('shop', 'api', true), deployment('web', 'frontend', false), clusterRole('ci-deployer', ['*']), clusterRole('reader', ['get'])];
// Run B: shop got its policy, web lost it; api fixed, frontend became privileged; ci-deployer unchanged.
const manifestsB = [ns('shop'), ns('web'), netpol('shop'), deployment('shop', 'api', false), deployment('web', 'frontend', true), clusterRole('ci-deployer', ['*']), clusterRole('reader', ['get'])];

describe('diffRuns over two runs of modified manifests', () => {
  const a = auditObjects(manifestsA, { runId: 'A' });
  const b = auditObjects(manifestsB, { runId: 'B' });
  const diff = diffRuns(a.report, b.report, { rules: rules(), expiredWaivers: b.expiredWaivers });

  it('finds exactly the new, resolved and persisting findings', () => {
    expect(new Set(diff.new)).toEqual(new Set([fp.webDeny, fp.frontendPriv]));
    expect(diff.new).toHaveLength(2);
    expect(new Set(diff.resolved)).toEqual(new Set([fp.shopDeny, fp.apiPriv]));
    expect(diff.resolved).toHaveLength(2);
    expect(diff.persisting).toBe(1);
    expect(diff.previousRunId).toBe('A');
    expect(diff.partial).toBe(false);
    expect(diff.notComparable).toEqual([]);
  });

  it('calls new high/critical findings a regression, one line each', () => {
    expect(diff.regression).toBe(true);
    expect(diff.regressionReasons).toContain('new critical finding: pod-security.fake-privileged on Deployment web/frontend');
    expect(diff.regressionReasons).toContain('new high finding: network.fake-default-deny on Namespace web');
    // Same number of failures per area: no score drop.
    expect(diff.scoreDelta.areas.network).toBe(0);
    expect(diff.scoreDelta.areas.tls).toBeNull();
  });

  it('is not a regression when nothing changed', () => {
    const again = auditObjects(manifestsA, { runId: 'A2' });
    const same = diffRuns(a.report, again.report, { rules: rules(), expiredWaivers: [] });
    expect(same).toMatchObject({ new: [], resolved: [], persisting: 3, regression: false, regressionReasons: [], partial: false });
    expect(same.scoreDelta.overall).toBe(0);
  });

  it('calls a persisting finding whose severity rose to the new-finding threshold a regression, naming it', () => {
    const a = auditObjects(manifestsA, { runId: 'A' });
    const earlier = structuredClone(a.report);
    earlier.run.id = 'A0';
    // Same fingerprint, a milder variant before (the check's per-result severity).
    for (const f of earlier.findings) if (f.fingerprint === fp.shopDeny) f.severity = 'low';
    for (const f of earlier.findings) if (f.fingerprint === fp.ci) f.severity = 'low';
    const d = diffRuns(earlier, a.report, { rules: rules(), expiredWaivers: [] });
    expect(d.new).toEqual([]);
    expect(d.persisting).toBe(3);
    // high is at the default threshold (high); medium (ci-deployer) is below it.
    expect(d.regressionReasons).toEqual(['escalated low → high: network.fake-default-deny on Namespace shop']);
    expect(diffRuns(a.report, earlier, { rules: rules(), expiredWaivers: [] }).regressionReasons.filter((r) => r.startsWith('escalated'))).toEqual([]);
  });

  it('ignores new findings below the configured severity', () => {
    const r = { ...rules(), newFindingSeverity: 'critical' as const, areaScoreDrop: 0 };
    const d = diffRuns(a.report, b.report, { rules: r, expiredWaivers: [] });
    expect(d.regressionReasons).toEqual(['new critical finding: pod-security.fake-privileged on Deployment web/frontend']);
    const none = diffRuns(a.report, b.report, { rules: { ...r, newFindingSeverity: 'none' }, expiredWaivers: [] });
    expect(none.regression).toBe(false);
  });
});

describe('coverage-aware diff', () => {
  it('a run with a forbidden kind does not resolve that kind\'s findings', () => {
    const a = auditObjects(manifestsA, { runId: 'A' });
    // NetworkPolicies could not be listed in run B: the shop finding must not read as fixed.
    const b = auditObjects([ns('shop'), ns('web'), deployment('shop', 'api', true), deployment('web', 'frontend', false), clusterRole('ci-deployer', ['*'])],
      { runId: 'B', coverage: { networkpolicies: 'forbidden' } });
    expect(b.report.checks.find((c) => c.id === 'network.fake-default-deny')?.status).toBe('not-evaluated');
    const d = diffRuns(a.report, b.report, { rules: rules(), expiredWaivers: [] });
    expect(d.resolved).not.toContain(fp.shopDeny);
    expect(d.resolved).toEqual([]);
    expect(d.new).toEqual([]);
    expect(d.notComparable).toEqual(['network.fake-default-deny']);
    expect(d.partial).toBe(true);
    // and the other way round: findings of a check evaluated again are not "new".
    const back = diffRuns(b.report, a.report, { rules: rules(), expiredWaivers: [] });
    expect(back.new).toEqual([]);
    expect(back.partial).toBe(true);
  });

  it('gives no score delta for an area whose checks were not all comparable, and no score-drop regression from missing data', () => {
    const a = auditObjects(manifestsA, { runId: 'A' });
    const b = auditObjects([ns('shop'), ns('web'), deployment('shop', 'api', true), deployment('web', 'frontend', false), clusterRole('ci-deployer', ['*'])],
      { runId: 'B', coverage: { networkpolicies: 'forbidden' } });
    const d = diffRuns(a.report, b.report, { rules: { ...rules(), areaScoreDrop: 1 }, expiredWaivers: [] });
    expect(d.scoreDelta.areas.network).toBeNull();
    expect(d.scoreDelta.overall).toBeNull();
    expect(d.scoreDelta.areas['pod-security']).toBe(0);
    expect(d.regressionReasons.filter((r) => r.startsWith('network score'))).toEqual([]);
    const back = diffRuns(b.report, a.report, { rules: { ...rules(), areaScoreDrop: 1 }, expiredWaivers: [] });
    expect(back.scoreDelta.areas.network).toBeNull();
  });

  it('a check evaluated in the previous run and not now is a regression: coverage lost, with the reason', () => {
    const a = auditObjects(manifestsA, { runId: 'A' });
    const b = auditObjects(manifestsA, { runId: 'B', coverage: { networkpolicies: 'forbidden', clusterroles: 'forbidden' } });
    const d = diffRuns(a.report, b.report, { rules: rules(), expiredWaivers: [] });
    expect(d.new).toEqual([]);
    expect(d.regression).toBe(true);
    expect(d.regressionReasons).toEqual([
      'coverage lost: 1 check(s) the previous run evaluated could not be evaluated: rbac.fake-wildcard (needs clusterroles: forbidden (list clusterroles))',
      'coverage lost: 1 check(s) the previous run evaluated could not be evaluated: network.fake-default-deny (needs networkpolicies: forbidden (list networkpolicies))',
    ]);
    // Still blind in the next run: said once, at the transition.
    const c = auditObjects(manifestsA, { runId: 'C', coverage: { networkpolicies: 'forbidden', clusterroles: 'forbidden' } });
    expect(diffRuns(b.report, c.report, { rules: rules(), expiredWaivers: [] }).regressionReasons).toEqual([]);
  });

  it('checks not evaluated in either run are not listed', () => {
    const a = auditObjects(manifestsA, { runId: 'A', coverage: { deployments: 'error' } });
    const b = auditObjects(manifestsB, { runId: 'B', coverage: { deployments: 'error' } });
    const d = diffRuns(a.report, b.report, { rules: rules(), expiredWaivers: [] });
    expect(d.notComparable).toEqual([]);
    expect(new Set(d.new)).toEqual(new Set([fp.webDeny]));
  });
});

describe('waivers in the diff', () => {
  const waiver = (expires: string) => ({
    check: 'pod-security.fake-privileged', resource: { kind: 'Deployment', namespace: 'web', name: 'frontend' },
    reason: 'vendor image', owner: 'platform@example.com', expires,
  });

  it('a waived finding is not new', () => {
    const config = defaultConfig();
    config.waivers = [waiver('2027-06-30')];
    const a = auditObjects(manifestsA, { runId: 'A' });
    const b = auditObjects(manifestsB, { runId: 'B', config });
    const d = diffRuns(a.report, b.report, { rules: rules(), expiredWaivers: b.expiredWaivers });
    expect(d.new).toEqual([fp.webDeny]);
    expect(d.regressionReasons.some((r) => r.includes('frontend'))).toBe(false);
  });

  it('a waiver that expired since the previous run is a regression', () => {
    const config = defaultConfig();
    config.waivers = [waiver('2026-11-30')];
    const a = auditObjects(manifestsB, { runId: 'A', config, now: new Date('2026-11-29T02:00:00Z') });
    const b = auditObjects(manifestsB, { runId: 'B', config, now: new Date('2026-12-01T02:00:00Z') });
    expect(b.expiredWaivers).toEqual([fp.frontendPriv]);
    const d = diffRuns(a.report, b.report, { rules: rules(), expiredWaivers: b.expiredWaivers });
    expect(d.new).toEqual([]);
    expect(d.regression).toBe(true);
    expect(d.regressionReasons).toEqual([
      // The finding counts again, so the area score drops too.
      'pod-security score dropped 50 points (100 → 50)',
      'waiver expired: pod-security.fake-privileged on Deployment web/frontend (expired 2026-11-30, owner platform@example.com)',
    ]);
    expect(expiredWaiversOf(b.report)).toEqual([fp.frontendPriv]);
    // Rule off: no regression.
    expect(diffRuns(a.report, b.report, { rules: { ...rules(), expiredWaiver: false, areaScoreDrop: 0 }, expiredWaivers: b.expiredWaivers }).regression).toBe(false);
    // Already expired in the previous run too: reported then, not again.
    const c = auditObjects(manifestsB, { runId: 'C', config, now: new Date('2026-12-02T02:00:00Z') });
    expect(diffRuns(b.report, c.report, { rules: rules(), expiredWaivers: c.expiredWaivers }).regression).toBe(false);
  });

  it('a finding that its still-valid waiver no longer covers is a regression', () => {
    const config = defaultConfig();
    config.waivers = [waiver('2027-06-30')];
    const a = auditObjects(manifestsB, { runId: 'A', config });
    // The waiver is still valid but now names another workload (the finding is open again).
    const moved = defaultConfig();
    moved.waivers = [{ ...waiver('2027-06-30'), resource: { kind: 'Deployment', namespace: 'web', name: 'frontend-v2' } }];
    const b = auditObjects(manifestsB, { runId: 'B', config: moved });
    const d = diffRuns(a.report, b.report, { rules: { ...rules(), areaScoreDrop: 0 }, expiredWaivers: b.expiredWaivers });
    expect(d.new).toEqual([]);
    expect(d.regressionReasons).toEqual(['no longer covered by its waiver: pod-security.fake-privileged on Deployment web/frontend']);
  });
});

describe('scores and RBAC breadth', () => {
  it('an area score drop beyond the threshold is a regression', () => {
    const a = auditObjects([clusterRole('a', ['get']), clusterRole('b', ['get']), clusterRole('c', ['get']), clusterRole('d', ['get'])], { runId: 'A' });
    const b = auditObjects([clusterRole('a', ['*']), clusterRole('b', ['get']), clusterRole('c', ['get']), clusterRole('d', ['get'])], { runId: 'B' });
    const d = diffRuns(a.report, b.report, { rules: { ...rules(), newFindingSeverity: 'none' }, expiredWaivers: [] });
    expect(d.scoreDelta.areas.rbac).toBe(-25);
    expect(d.regressionReasons).toEqual(['rbac score dropped 25 points (100 → 75)']);
    const lenient = diffRuns(a.report, b.report, { rules: { ...rules(), newFindingSeverity: 'none', areaScoreDrop: 30 }, expiredWaivers: [] });
    expect(lenient.regression).toBe(false);
  });

  it('reports breadth growth per subject and flags growth over the threshold', () => {
    const sa = { kind: 'ServiceAccount', namespace: 'ci', name: 'deployer' };
    const user = { kind: 'User', name: 'alice' };
    const a = auditObjects(manifestsA, { runId: 'A', breadth: [{ subject: sa, breadth: 40 }, { subject: user, breadth: 10 }] });
    const b = auditObjects(manifestsA, { runId: 'B', breadth: [{ subject: sa, breadth: 60 }, { subject: user, breadth: 11 }, { subject: { kind: 'Group', name: 'new' }, breadth: 500 }] });
    const d = diffRuns(a.report, b.report, { rules: rules(), expiredWaivers: [] });
    expect(d.breadthGrowth).toEqual([
      { subject: sa, before: 40, after: 60, growthPercent: 50 },
      { subject: user, before: 10, after: 11, growthPercent: 10 },
    ]);
    expect(d.regressionReasons).toEqual(['ServiceAccount ci/deployer can do 50% more (RBAC breadth 40 → 60)']);
  });

  it('caps the reasons of one rule and says how many more', () => {
    const many = (n: number, ok: boolean) => [ns('x'), ...Array.from({ length: n }, (_, i) => deployment('x', `d${i}`, !ok))];
    const a = auditObjects(many(30, true), { runId: 'A' });
    const b = auditObjects(many(30, false), { runId: 'B' });
    const d = diffRuns(a.report, b.report, { rules: { ...rules(), areaScoreDrop: 0 }, expiredWaivers: [] });
    expect(d.new).toHaveLength(30);
    expect(d.regressionReasons).toHaveLength(21);
    expect(d.regressionReasons[20]).toBe('…and 10 more new findings of severity high or worse');
  });
});

describe('RBAC breadth compared only over the same resource list (details.rbac.breadthBasis)', () => {
  const sa = { kind: 'ServiceAccount', namespace: 'ci', name: 'deployer' };
  type Rbac = NonNullable<RunReport['details']['rbac']>;
  /** Runs A and B, sa's breadth 40 then 60 (50% growth, a regression when compared). */
  const diffOf = (a: Omit<Rbac, 'breadth'>, b: Omit<Rbac, 'breadth'>) => {
    const before = auditObjects(manifestsA, { runId: 'A', breadth: [{ subject: sa, breadth: 40 }] }).report;
    const after = auditObjects(manifestsA, { runId: 'B', breadth: [{ subject: sa, breadth: 60 }] }).report;
    before.details.rbac = { ...before.details.rbac!, ...a };
    after.details.rbac = { ...after.details.rbac!, ...b };
    return diffRuns(before, after, { rules: rules(), expiredWaivers: [] });
  };
  const grown = ['ServiceAccount ci/deployer can do 50% more (RBAC breadth 40 → 60)'];
  const served = { breadthBasis: 'served' } as const;
  const builtIn = { breadthBasis: 'built-in' } as const;
  const partial = (...groups: string[]) => ({ breadthBasis: 'partial', breadthMissingGroups: groups }) as const;

  it('compares two runs over the served resources, or two over the built-in list', () => {
    for (const [a, b] of [[served, served], [builtIn, builtIn]] as const) {
      const d = diffOf(a, b);
      expect(d.regressionReasons).toEqual(grown);
      expect(d.breadthNotCompared).toBeUndefined();
    }
  });

  it('does not compare a run over partial discovery with any run, and says why, naming the groups', () => {
    const d = diffOf(served, partial('metrics.k8s.io'));
    expect(d).toMatchObject({ breadthGrowth: [], regression: false, regressionReasons: [] });
    expect(d.breadthNotCompared).toBe('RBAC breadth not compared: run A counted it against the resources the API server serves, run B against partial API discovery (metrics.k8s.io: discovery failed, built-in list used for it)');
    const back = diffOf(partial('metrics.k8s.io', ''), served);
    expect(back.regressionReasons).toEqual([]);
    expect(back.breadthNotCompared).toBe('RBAC breadth not compared: run A counted it against partial API discovery (metrics.k8s.io, core: discovery failed, built-in list used for them), run B against the resources the API server serves');
    const many = diffOf(served, partial('a.example', 'b.example', 'c.example', 'd.example', 'e.example', 'f.example', 'g.example'));
    expect(many.breadthNotCompared).toContain('(a.example, b.example, c.example, d.example, e.example and 2 more: discovery failed');
  });

  // Two partial runs with the same groups missing were counted against the same list: the served
  // groups plus the same built-in stand-in for the missing ones. An APIService
  // v1beta1.metrics.k8s.io left behind by an incomplete metrics-server uninstall makes discovery
  // of that group fail on every run ("couldn't get resource list for metrics.k8s.io/v1beta1: the
  // server is currently unable to handle the request": https://github.com/kubernetes-sigs/metrics-server/issues/157,
  // https://github.com/kubernetes/minikube/issues/3571): every run is partial, and not comparing
  // them would turn breadth alerts off for good.
  it('compares two partial runs with the same groups missing (in any order), not those with different ones', () => {
    const same = diffOf(partial('metrics.k8s.io'), partial('metrics.k8s.io'));
    expect(same.regressionReasons).toEqual(grown);
    expect(same.breadthNotCompared).toBeUndefined();
    expect(diffOf(partial('metrics.k8s.io', 'custom.metrics.k8s.io'), partial('custom.metrics.k8s.io', 'metrics.k8s.io')).regressionReasons).toEqual(grown);
    const other = diffOf(partial('metrics.k8s.io'), partial('metrics.k8s.io', 'custom.metrics.k8s.io'));
    expect(other.regressionReasons).toEqual([]);
    expect(other.breadthNotCompared).toBe('RBAC breadth not compared: run A counted it against partial API discovery (metrics.k8s.io: discovery failed, built-in list used for it), run B against partial API discovery (metrics.k8s.io, custom.metrics.k8s.io: discovery failed, built-in list used for them)');
  });

  it('does not compare the served resources with the built-in list (discovery failed as a whole)', () => {
    const d = diffOf(builtIn, served);
    expect(d.regressionReasons).toEqual([]);
    expect(d.breadthNotCompared).toBe('RBAC breadth not compared: run A counted it against the built-in resource list (API discovery unknown), run B against the resources the API server serves');
  });

  it('a run stored before the basis was recorded compares as before with a complete basis, not with a partial one', () => {
    expect(diffOf({}, served).regressionReasons).toEqual(grown);
    expect(diffOf({}, builtIn).regressionReasons).toEqual(grown);
    expect(diffOf(served, {}).breadthNotCompared).toBeUndefined();
    const d = diffOf({}, partial('metrics.k8s.io'));
    expect(d.regressionReasons).toEqual([]);
    expect(d.breadthNotCompared).toBe('RBAC breadth not compared: run A counted it against an unrecorded resource list, run B against partial API discovery (metrics.k8s.io: discovery failed, built-in list used for it)');
  });
});

describe('reasons that new findings make (newFindingReasons: serve --watch holds back only those)', () => {
  it('counts the new findings\' lines, the "…and N more" line and the score drop of their area', () => {
    const many = (n: number, ok: boolean) => [ns('x'), ...Array.from({ length: n }, (_, i) => deployment('x', `d${i}`, !ok))];
    const d = diffRuns(auditObjects(many(30, true), { runId: 'A' }).report, auditObjects(many(30, false), { runId: 'B' }).report, { rules: rules(), expiredWaivers: [] });
    expect(d.regressionReasons.at(-1)).toMatch(/^pod-security score dropped /);
    expect(d.regressionReasons).toHaveLength(22);
    expect(d.newFindingReasons).toBe(22);
  });

  it('does not count a score drop with no new finding (a finding no longer waived), an escalation or RBAC breadth growth', () => {
    const config = defaultConfig();
    config.waivers = [{ check: 'pod-security.fake-privileged', resource: { kind: 'Deployment', namespace: 'web', name: 'frontend' }, reason: 'vendor image', owner: 'platform@example.com', expires: '2026-11-30' }];
    const before = auditObjects(manifestsB, { runId: 'A', config, now: new Date('2026-11-29T02:00:00Z') });
    const after = auditObjects(manifestsB, { runId: 'B', config, now: new Date('2026-12-01T02:00:00Z') });
    const drop = diffRuns(before.report, after.report, { rules: { ...rules(), expiredWaiver: false }, expiredWaivers: after.expiredWaivers });
    expect(drop.new).toEqual([]);
    expect(drop.regressionReasons).toEqual([expect.stringMatching(/^pod-security score dropped /)]);
    expect(drop.newFindingReasons).toBeUndefined();
    const a = auditObjects(manifestsA, { runId: 'A' });
    const earlier = structuredClone(a.report);
    for (const f of earlier.findings) if (f.fingerprint === fp.shopDeny) f.severity = 'low';
    expect(diffRuns(earlier, a.report, { rules: rules(), expiredWaivers: [] }).newFindingReasons).toBeUndefined();
    const sa = { kind: 'ServiceAccount', namespace: 'ci', name: 'deployer' };
    const grown = diffRuns(auditObjects(manifestsA, { runId: 'A', breadth: [{ subject: sa, breadth: 40 }] }).report, auditObjects(manifestsA, { runId: 'B', breadth: [{ subject: sa, breadth: 60 }] }).report, { rules: rules(), expiredWaivers: [] });
    expect(grown.regressionReasons).toEqual(['ServiceAccount ci/deployer can do 50% more (RBAC breadth 40 → 60)']);
    expect(grown.newFindingReasons).toBeUndefined();
  });
});

describe('robustness', () => {
  it('tolerates a previous report with missing sections (e.g. an older or reconstructed run)', () => {
    const b = auditObjects(manifestsB, { runId: 'B' });
    const old = { ...b.report, run: { ...b.report.run, id: 'old' }, checks: [], findings: [], details: {} } as RunReport;
    const d = diffRuns(old, b.report, { rules: rules(), expiredWaivers: [] });
    expect(d.new).toEqual([]);
    expect(d.partial).toBe(true);
    expect(d.notComparable).toEqual(['network.fake-default-deny', 'pod-security.fake-privileged', 'rbac.fake-wildcard']);
  });
});

describe('a fingerprint listed twice in one run (a stored run edited by hand, a check that repeats itself)', () => {
  const a = auditObjects(manifestsA, { runId: 'A' });
  const b = auditObjects(manifestsB, { runId: 'B' });
  const twice = (r: RunReport, fingerprint: string): RunReport => ({ ...r, findings: [...r.findings, ...r.findings.filter((f) => f.fingerprint === fingerprint)] });

  it('counts it once: new, resolved and persisting as if it were listed once', () => {
    const once = diffRuns(a.report, b.report, { rules: rules(), expiredWaivers: [] });
    const d = diffRuns(twice(a.report, fp.shopDeny), twice(twice(b.report, fp.webDeny), fp.ci), { rules: rules(), expiredWaivers: [] });
    expect(d.new).toEqual(once.new);
    expect(d.resolved).toEqual(once.resolved);
    expect(d.persisting).toBe(once.persisting);
  });
});
