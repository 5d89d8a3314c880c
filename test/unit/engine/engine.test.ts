import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { fingerprintOf } from '../../../src/engine/fingerprint.ts';
import { openCarried } from '../../../src/run/waivers.ts';
import { runChecks, runStreamed } from '../../../src/engine/run.ts';
import { scoreRun } from '../../../src/engine/score.ts';
import { Spool } from '../../../src/base/spool.ts';
import { isSpooled } from '../../../src/run/spooled-finding.ts';
import type { Check, Result } from '../../../src/engine/types.ts';
import type { Severity, Verdict } from '../../../src/base/vocabulary.ts';

const NOW = new Date('2026-11-26T12:00:00Z');

/** A full garbage collection, for tests that measure what is retained. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function check(id: string, area: Check['area'], severity: Severity, verdicts: Verdict[] | (() => Verdict[]), needs: Check['needs'] = []): Check {
  return {
    id, area, severity, title: id, protectsAgainst: 'nothing in particular', controls: ['TEST:1'], remediation: 'fix it', needs,
    evaluate: () => (typeof verdicts === 'function' ? verdicts() : verdicts),
  };
}
const pass = (name: string): Verdict => ({ status: 'pass', resource: { kind: 'Namespace', name }, message: `${name} ok` });
const fail = (name: string, ns?: string): Verdict => ({ status: 'fail', resource: { kind: 'Namespace', name, ...(ns ? { namespace: ns } : {}) }, message: `${name} bad` });

function result(area: Result['area'], severity: Severity, status: 'pass' | 'fail', waived = false) {
  return { check: 'x', area, severity, status, resource: { kind: 'K', name: 'n' }, message: '', fingerprint: 'f', waived };
}

describe('scoring', () => {
  it('weighs results by severity: 100 x weighted passes / weighted evaluated', () => {
    // network: critical pass (10) + high fail (5) => 10/15 = 66.7; rbac: low pass only => 100
    const s = scoreRun([result('network', 'critical', 'pass'), result('network', 'high', 'fail'), result('rbac', 'low', 'pass')]);
    expect(s.areas.network).toBe(66.7);
    expect(s.areas.rbac).toBe(100);
    expect(s.areas.tls).toBeNull();
    expect(s.overall).toBe(83.3); // mean of the evaluated areas only
  });

  it('leaves waived failures out of the score entirely', () => {
    const s = scoreRun([result('tls', 'medium', 'pass'), result('tls', 'critical', 'fail', true)]);
    expect(s.areas.tls).toBe(100);
  });

  it('has no score when nothing was evaluated', () => {
    expect(scoreRun([])).toEqual({ overall: null, areas: { network: null, tls: null, rbac: null, 'pod-security': null, mtls: null } });
  });
});

describe('fingerprints', () => {
  it('are stable across runs and independent of message wording', () => {
    const a = fingerprintOf('rbac.wildcard-permission', { kind: 'ClusterRole', name: 'ci' });
    expect(fingerprintOf('rbac.wildcard-permission', { kind: 'ClusterRole', name: 'ci' })).toBe(a);
    expect(a).toMatch(/^[0-9a-f]{20}$/);
  });
  it('are the first 20 hex digits of the identity\'s SHA-256, each held in ~40 bytes, not in its whole 64-digit hex', () => {
    const id = (i: number) => ({ kind: 'Pod', namespace: `team-${i % 300}`, name: `web-${i}` });
    expect(fingerprintOf('c', id(1), '8080/TCP')).toBe(createHash('sha256').update('c\u0000Pod\u0000team-1\u0000web-1\u00008080/TCP').digest('hex').slice(0, 20));
    const gc = collector();
    const n = 50_000;
    gc();
    const before = process.memoryUsage().heapUsed;
    const kept = Array.from({ length: n }, (_, i) => fingerprintOf('pod-security.run-as-root', id(i)));
    gc();
    const perFingerprint = (process.memoryUsage().heapUsed - before) / n;
    expect(kept).toHaveLength(n);
    expect(perFingerprint).toBeLessThan(80); // a flat 20-character string and its array slot; a view of the hex was ~110
  });
  it('distinguish checks, namespaces and detail keys', () => {
    const base = fingerprintOf('c', { kind: 'Pod', namespace: 'a', name: 'p' });
    expect(fingerprintOf('d', { kind: 'Pod', namespace: 'a', name: 'p' })).not.toBe(base);
    expect(fingerprintOf('c', { kind: 'Pod', namespace: 'b', name: 'p' })).not.toBe(base);
    expect(fingerprintOf('c', { kind: 'Pod', namespace: 'a', name: 'p' }, '8080/TCP')).not.toBe(base);
  });
});

describe('check runner', () => {
  const snapshot = snapshotFromObjects([]);
  const ctx = { snapshot, config: defaultConfig(), now: NOW };

  it('marks a check whose kinds were not collected as not-evaluated, never as a pass', () => {
    snapshot.coverage.networkpolicies = { status: 'forbidden', detail: 'list networkpolicies.networking.k8s.io' };
    const [o] = runChecks([check('n.x', 'network', 'high', [pass('a')], ['networkpolicies'])], ctx);
    expect(o.status).toBe('not-evaluated');
    expect(o.results).toEqual([]);
    expect(o.reason).toContain('forbidden');
    snapshot.coverage.networkpolicies = { status: 'ok' };
  });

  it('judges declared reads: absent means none, forbidden or failed makes the check not-evaluated', () => {
    const reader: Check = { ...check('n.reads', 'network', 'high', [pass('a')]), reads: ['istio.peerauthentications'] };
    snapshot.coverage['istio.peerauthentications'] = { status: 'absent' };
    expect(runChecks([reader], ctx)[0].status).toBe('pass');
    for (const status of ['forbidden', 'error'] as const) {
      snapshot.coverage['istio.peerauthentications'] = { status, detail: 'list peerauthentications.security.istio.io' };
      const [o] = runChecks([reader], ctx);
      expect(o.status).toBe('not-evaluated');
      expect(o.reason).toBe(`needs istio.peerauthentications: ${status} (list peerauthentications.security.istio.io)`);
    }
    delete snapshot.coverage['istio.peerauthentications'];
  });

  it('turns a throwing check into an error outcome and runs the others', () => {
    const boom = check('n.boom', 'network', 'high', () => { throw new Error('kaput'); });
    const [a, b] = runChecks([boom, check('n.ok', 'network', 'low', [pass('a')])], ctx);
    expect(a.status).toBe('error');
    expect(a.reason).toContain('kaput');
    expect(b.status).toBe('pass');
  });

  it('lets the caller\'s own failure while it takes a result through: it is not the check\'s error', () => {
    const ok = check('n.ok', 'network', 'low', [fail('a')]);
    expect(() => runStreamed(ok, ctx, false, () => { throw new Error('disk gone'); })).toThrow('disk gone');
  });

  it('applies severity overrides and disabling from config', () => {
    const config = defaultConfig();
    config.checks['n.f'] = { severity: 'low' };
    config.checks['n.off'] = { enabled: false };
    const [f, off] = runChecks([check('n.f', 'network', 'critical', [fail('a')]), check('n.off', 'network', 'high', [fail('b')])], { ...ctx, config });
    expect(f.results[0].severity).toBe('low');
    expect(off.status).toBe('not-applicable');
    expect(off.results).toEqual([]);
  });
});

describe('audit', () => {
  const checks = [
    check('rbac.a', 'rbac', 'high', [fail('ci'), pass('ok')]),
    check('tls.b', 'tls', 'medium', [fail('web', 'shop')]),
    check('network.c', 'network', 'high', [pass('x')], ['networkpolicies']),
  ];

  it('produces findings for failures only, check summaries and scores', () => {
    const snapshot = snapshotFromObjects([]);
    snapshot.coverage.networkpolicies = { status: 'error', detail: 'timeout' };
    const { report } = auditSnapshot({ snapshot, config: defaultConfig(), checks, now: NOW, startedAt: NOW, runId: 'r1' });
    expect(report.findings.map((f) => f.check)).toEqual(['rbac.a', 'tls.b']);
    expect(report.findings[0]).toMatchObject({ controls: ['TEST:1'], waived: false, severity: 'high', area: 'rbac' });
    expect(report.checks.find((c) => c.id === 'network.c')).toMatchObject({ status: 'not-evaluated', evaluated: 0 });
    expect(report.score.areas.network).toBeNull();
    expect(report.score.areas.rbac).toBe(50);
    expect(report.score.areas.tls).toBe(0);
  });

  it('drops what a check made before it threw: no findings, no passes, an error outcome, and the next check runs', () => {
    const flaky: Check = {
      ...check('rbac.flaky', 'rbac', 'high', []),
      *evaluate() {
        yield fail('first');
        yield pass('second');
        throw new Error('kaput');
      },
    };
    for (const spool of [undefined, () => Spool.open()]) {
      const { report } = auditSnapshot({ snapshot: snapshotFromObjects([]), config: defaultConfig(), checks: [flaky, checks[0]], now: NOW, startedAt: NOW, runId: 'r1', spool });
      expect(report.findings.map((f) => [f.check, f.resource.name, f.message])).toEqual([['rbac.a', 'ci', 'ci bad']]);
      expect(report.checks[0]).toMatchObject({ id: 'rbac.flaky', status: 'error', reason: 'check failed: kaput', evaluated: 0, passed: 0, failed: 0 });
      expect(report.checks[1]).toMatchObject({ id: 'rbac.a', status: 'fail', evaluated: 2, passed: 1, failed: 1 });
      expect(report.score.areas.rbac).toBe(50);
    }
  });

  it('lists checks and findings in the catalog order although mtls runs right after tls, and drops what a check made before it threw', () => {
    // oneByOne runs mtls before rbac and pod-security (RUN_ORDER in src/engine/audit.ts) so the
    // mesh models are dropped earlier; the report must not show it.
    const ran: string[] = [];
    const logged = (c: Check): Check => ({ ...c, evaluate: (ctx) => { ran.push(c.id); return c.evaluate(ctx); } });
    const flaky: Check = {
      ...check('mtls.flaky', 'mtls', 'high', []),
      *evaluate() {
        yield fail('first');
        throw new Error('kaput');
      },
    };
    const catalog = [
      check('network.a', 'network', 'high', [fail('n1'), fail('n2')]),
      check('rbac.a', 'rbac', 'high', [fail('r1'), pass('r2')]),
      check('pod-security.a', 'pod-security', 'high', [fail('p1')]),
      flaky,
      check('mtls.a', 'mtls', 'high', [fail('m1'), fail('m2')]),
      check('tls.a', 'tls', 'high', [fail('t1')]),
    ].map(logged);
    for (const spool of [undefined, () => Spool.open()]) {
      ran.length = 0;
      const { report } = auditSnapshot({ snapshot: snapshotFromObjects([]), config: defaultConfig(), checks: catalog, now: NOW, startedAt: NOW, runId: 'r1', spool });
      expect(ran).toEqual(['network.a', 'tls.a', 'mtls.flaky', 'mtls.a', 'rbac.a', 'pod-security.a']);
      expect(report.checks.map((c) => [c.id, c.status, c.failed])).toEqual([
        ['network.a', 'fail', 2], ['rbac.a', 'fail', 1], ['pod-security.a', 'fail', 1], ['mtls.flaky', 'error', 0], ['mtls.a', 'fail', 2], ['tls.a', 'fail', 1],
      ]);
      expect(report.findings.map((f) => [f.check, f.message])).toEqual([
        ['network.a', 'n1 bad'], ['network.a', 'n2 bad'], ['rbac.a', 'r1 bad'], ['pod-security.a', 'p1 bad'], ['mtls.a', 'm1 bad'], ['mtls.a', 'm2 bad'], ['tls.a', 't1 bad'],
      ]);
      // The same report as when the checks are run in the catalog's order by a caller (serve --watch).
      const inOrder = auditSnapshot({ snapshot: snapshotFromObjects([]), config: defaultConfig(), checks: catalog, now: NOW, startedAt: NOW, runId: 'r1', evaluate: runChecks });
      expect(report.findings.map((f) => [f.fingerprint, f.message])).toEqual(inOrder.report.findings.map((f) => [f.fingerprint, f.message]));
      expect(report.checks).toEqual(inOrder.report.checks);
      expect(report.score).toEqual(inOrder.report.score);
    }
  });

  it('says when no findings temp file could be made (an unusable TMPDIR) rather than silently keeping every finding in memory', () => {
    const input = { snapshot: snapshotFromObjects([]), config: defaultConfig(), checks, now: NOW, startedAt: NOW, runId: 'r1' };
    const refused = auditSnapshot({ ...input, spool: () => null });
    expect(refused.warnings).toEqual([`cannot make the findings' temp file in ${tmpdir()} (TMPDIR): the run goes on with every finding kept in memory (hundreds of MiB more on a large cluster); point TMPDIR at a writable directory`]);
    expect(refused.report.findings.map((f) => f.message)).toEqual(['ci bad', 'web bad']);
    // A spool that opens, or none asked for, is nothing to say.
    expect(auditSnapshot({ ...input, spool: () => Spool.open() }).warnings).toBeUndefined();
    expect(auditSnapshot(input).warnings).toBeUndefined();
  });

  it('spools each finding as its check makes it, not once the check has ended', () => {
    const spool = Spool.open()!;
    const sizes: number[] = [];
    const streamed: Check = {
      ...check('rbac.many', 'rbac', 'high', []),
      *evaluate() {
        for (let i = 0; i < 3; i++) {
          sizes.push(spool.size);
          yield fail(`ns-${i}`);
        }
      },
    };
    const { report } = auditSnapshot({ snapshot: snapshotFromObjects([]), config: defaultConfig(), checks: [streamed], now: NOW, startedAt: NOW, runId: 'r1', spool: () => spool });
    expect(sizes[0]).toBe(0);
    expect(sizes[1]).toBeGreaterThan(sizes[0]);
    expect(sizes[2]).toBeGreaterThan(sizes[1]);
    expect(report.findings.map((f) => f.message)).toEqual(['ns-0 bad', 'ns-1 bad', 'ns-2 bad']);
    spool.close();
  });

  it('stamps the run with the instants it is given, never the machine clock', () => {
    const { report } = auditSnapshot({ snapshot: snapshotFromObjects([]), config: defaultConfig(), checks, now: NOW, startedAt: NOW, runId: 'r0' });
    expect(report.run).toMatchObject({ startedAt: NOW.toISOString(), finishedAt: NOW.toISOString(), toolVersion: JSON.parse(readFileSync(join(import.meta.dirname, '../../../package.json'), 'utf8')).version });
    const done = new Date('2026-11-26T12:00:07Z');
    expect(auditSnapshot({ snapshot: snapshotFromObjects([]), config: defaultConfig(), checks, now: NOW, startedAt: NOW, clock: () => done, runId: 'r0' }).report.run.finishedAt).toBe(done.toISOString());
  });

  it('shows waived failures, does not score them, and turns expired waivers back on', () => {
    const config = defaultConfig();
    config.waivers = [
      { check: 'rbac.a', resource: { kind: 'Namespace', name: 'ci' }, reason: 'CI', owner: 'platform', expires: '2026-12-01' },
      { check: 'tls.b', resource: { name: 'web' }, reason: 'legacy', owner: 'web', expires: '2026-11-01' },
      { check: 'tls.b', resource: { name: 'nothing-here' }, reason: 'typo', owner: 'web', expires: '2027-01-01' },
    ];
    const { report, expiredWaivers } = auditSnapshot({ snapshot: snapshotFromObjects([]), config, checks, now: NOW, startedAt: NOW, runId: 'r2' });
    const waived = report.findings.find((f) => f.check === 'rbac.a');
    expect(waived).toMatchObject({ waived: true, waiver: { owner: 'platform', expires: '2026-12-01' } });
    expect(report.score.areas.rbac).toBe(100);
    expect(report.findings.find((f) => f.check === 'tls.b')?.waived).toBe(false);
    expect(expiredWaivers).toHaveLength(1);
    expect(report.waivers.map((w) => w.state)).toEqual(['expiring-soon', 'expired', 'unmatched']);
    expect(report.checks.find((c) => c.id === 'rbac.a')).toMatchObject({ failed: 0, waived: 1, passed: 1, status: 'pass' });
  });

  it('scores each open failure at its own severity, a waived one not at all, with and without a spool (README "Scoring")', () => {
    const config = defaultConfig();
    config.waivers = [{ check: 'rbac.mixed', resource: { kind: 'Namespace', name: 'worst' }, reason: 'known', owner: 'platform', expires: '2027-06-01' }];
    const mixed = check('rbac.mixed', 'rbac', 'high', [
      { ...fail('worst'), severity: 'critical' }, { ...fail('mild'), severity: 'low' }, fail('plain'), pass('fine'),
    ]);
    const thrown: Check = { ...check('rbac.thrown', 'rbac', 'critical', []), evaluate: function* () { yield fail('gone'); throw new Error('boom'); } };
    for (const spool of [undefined, () => Spool.open()]) {
      const { report } = auditSnapshot({ snapshot: snapshotFromObjects([]), config, checks: [mixed, thrown], now: NOW, startedAt: NOW, runId: 'r1', spool });
      // Open: low (1) and high (5); passed: high (5); the waived critical and the thrown check's failure count for nothing.
      expect(report.score.areas.rbac).toBe(45.5);
      expect(report.checks.find((c) => c.id === 'rbac.mixed')).toMatchObject({ failed: 2, waived: 1, passed: 1 });
    }
  });

  it('a waiver on a check that was not evaluated is not-evaluated with the reason, never "matches nothing" (missing data is not a fix)', () => {
    const snapshot = snapshotFromObjects([]);
    snapshot.coverage.networkpolicies = { status: 'forbidden', detail: 'list networkpolicies.networking.k8s.io' };
    const config = defaultConfig();
    config.waivers = [
      { check: 'network.c', resource: { kind: 'Namespace', name: 'x' }, reason: 'legacy', owner: 'net', expires: '2027-06-01' },
      { check: 'tls.b', resource: { name: 'nothing-here' }, reason: 'typo', owner: 'web', expires: '2027-06-01' },
      { check: 'network.c', resource: { kind: 'Namespace', name: 'x' }, reason: 'old', owner: 'net', expires: '2026-11-01' },
    ];
    const { report } = auditSnapshot({ snapshot, config, checks, now: NOW, startedAt: NOW, runId: 'r3' });
    expect(report.waivers.map((w) => [w.reason, w.state, w.notEvaluated])).toEqual([
      ['legacy', 'not-evaluated', expect.stringContaining('forbidden')],
      ['typo', 'unmatched', undefined],
      ['old', 'expired', undefined],
    ]);
  });

  it('lets a waiver name a related object, e.g. the role behind a subject grant', () => {
    const config = defaultConfig();
    config.waivers = [{ check: 'rbac.w', resource: { kind: 'ClusterRole', name: 'ci-deployer' }, reason: 'r', owner: 'o', expires: '2027-01-01' }];
    const grant: Verdict = { ...fail('sa'), related: [{ kind: 'ClusterRole', name: 'ci-deployer' }, { kind: 'ClusterRoleBinding', name: 'ci' }] };
    const other: Verdict = { ...fail('other'), related: [{ kind: 'ClusterRole', name: 'admin' }] };
    const { report } = auditSnapshot({ snapshot: snapshotFromObjects([]), config, checks: [check('rbac.w', 'rbac', 'high', [grant, other])], now: NOW, startedAt: NOW, runId: 'r4' });
    expect(report.findings.map((f) => [f.resource.name, f.waived])).toEqual([['sa', true], ['other', false]]);
  });

  it('does not let a waiver on one binding hide a new binding that grants the same access', () => {
    const config = defaultConfig();
    config.waivers = [{ check: 'rbac.w', resource: { kind: 'ClusterRoleBinding', name: 'ci' }, reason: 'r', owner: 'o', expires: '2027-01-01' }];
    const onlyCi: Verdict = { ...fail('sa'), related: [{ kind: 'ClusterRole', name: 'cluster-admin' }, { kind: 'ClusterRoleBinding', name: 'ci' }] };
    const plusNew: Verdict = { ...fail('sa2'), related: [{ kind: 'ClusterRole', name: 'cluster-admin' }, { kind: 'ClusterRoleBinding', name: 'ci' }, { kind: 'ClusterRoleBinding', name: 'sneaky' }] };
    const { report } = auditSnapshot({ snapshot: snapshotFromObjects([]), config, checks: [check('rbac.w', 'rbac', 'high', [onlyCi, plusNew])], now: NOW, startedAt: NOW, runId: 'r5' });
    expect(report.findings.map((f) => [f.resource.name, f.waived])).toEqual([['sa', true], ['sa2', false]]);
  });

  // A Role grants what a ClusterRole grants, in its namespace, and a RoleBinding binds as a
  // ClusterRoleBinding does; a subject's access is the union of both (Kubernetes RBAC,
  // https://kubernetes.io/docs/reference/access-authn-authz/rbac/ ; /work/shared/reference/checks.md §3).
  // A waiver for one of them must not also hide a new grant through the other.
  it('does not let a waiver on a ClusterRole (or ClusterRoleBinding) hide a new Role (or RoleBinding) granting the same subject, nor the reverse', () => {
    const waiver = (kind: string, name: string, namespace?: string) => ({ check: 'rbac.w', resource: { kind, name, ...(namespace ? { namespace } : {}) }, reason: 'r', owner: 'o', expires: '2027-01-01' });
    const config = defaultConfig();
    config.waivers = [waiver('ClusterRole', 'ci-deployer'), waiver('ClusterRoleBinding', 'ci'), waiver('Role', 'ops', 'payments')];
    const grants: Verdict[] = [
      // Only what the ClusterRole waiver was written for: waived.
      { ...fail('sa'), related: [{ kind: 'ClusterRole', name: 'ci-deployer' }, { kind: 'ClusterRoleBinding', name: 'ci-deployer' }] },
      // The same plus a new Role payments/ops through a RoleBinding: no waiver covers all of it.
      { ...fail('sa-plus-role'), related: [{ kind: 'ClusterRole', name: 'ci-deployer' }, { kind: 'ClusterRoleBinding', name: 'ci-deployer' }, { kind: 'Role', namespace: 'payments', name: 'ops' }, { kind: 'RoleBinding', namespace: 'payments', name: 'ops' }] },
      // Bound by ClusterRoleBinding ci, and now by a RoleBinding too (to a ClusterRole no waiver names).
      { ...fail('sa-plus-binding'), related: [{ kind: 'ClusterRole', name: 'cluster-admin' }, { kind: 'ClusterRoleBinding', name: 'ci' }, { kind: 'RoleBinding', namespace: 'shop', name: 'sneaky' }] },
      // Only what the Role waiver was written for: waived; plus a new ClusterRole: open.
      { ...fail('ops'), related: [{ kind: 'Role', namespace: 'payments', name: 'ops' }, { kind: 'RoleBinding', namespace: 'payments', name: 'ops' }] },
      { ...fail('ops-plus-cluster-role'), related: [{ kind: 'Role', namespace: 'payments', name: 'ops' }, { kind: 'RoleBinding', namespace: 'payments', name: 'ops' }, { kind: 'ClusterRole', name: 'edit-all' }, { kind: 'RoleBinding', namespace: 'payments', name: 'edit-all' }] },
    ];
    const { report } = auditSnapshot({ snapshot: snapshotFromObjects([]), config, checks: [check('rbac.w', 'rbac', 'high', grants)], now: NOW, startedAt: NOW, runId: 'r5b' });
    expect(report.findings.map((f) => [f.resource.name, f.waived])).toEqual([
      ['sa', true], ['sa-plus-role', false], ['sa-plus-binding', false], ['ops', true], ['ops-plus-cluster-role', false],
    ]);
  });

  // A partial run carries findings from an earlier run: its own config decides them as the audit
  // decides the findings it evaluates (README, Configuration), related objects included.
  it('decides a carried finding with the same waivers and matching as a fresh one (openCarried)', () => {
    const config = defaultConfig();
    config.waivers = [
      { check: 'rbac.w', resource: { kind: 'ClusterRoleBinding', name: 'ci' }, reason: 'r', owner: 'o', expires: '2027-01-01' },
      { check: 'rbac.w', resource: { kind: 'ClusterRole', name: 'view*' }, reason: 'r', owner: 'o', expires: '2026-11-26' },
      { check: 'rbac.w', resource: { name: 'gone' }, reason: 'r', owner: 'o', expires: '2026-11-25' },
    ];
    const grants: Verdict[] = [
      { ...fail('sa'), related: [{ kind: 'ClusterRole', name: 'cluster-admin' }, { kind: 'ClusterRoleBinding', name: 'ci' }] },
      { ...fail('sa2'), related: [{ kind: 'ClusterRole', name: 'cluster-admin' }, { kind: 'ClusterRoleBinding', name: 'ci' }, { kind: 'ClusterRoleBinding', name: 'sneaky' }] },
      { ...fail('reader'), related: [{ kind: 'ClusterRole', name: 'view-all' }] },
      fail('gone'),
    ];
    const audit = (waivers: typeof config.waivers) => auditSnapshot({ snapshot: snapshotFromObjects([]), config: { ...config, waivers }, checks: [check('rbac.w', 'rbac', 'high', grants)], now: NOW, startedAt: NOW, runId: 'r6' }).report;
    const fresh = audit(config.waivers).findings.filter((f) => !f.waived).map((f) => f.resource.name);
    expect(fresh).toEqual(['sa2', 'gone']);
    // Found open in a run without those waivers, then carried into a run with them.
    expect(openCarried(config.waivers, audit([]).findings, NOW).map((f) => f.resource.name)).toEqual(fresh);
    // Found waived, then carried into a run whose config has none of them: all open.
    expect(openCarried([], audit(config.waivers).findings, NOW)).toHaveLength(4);
  });

  it('counts a waiver as valid through its expiry day', () => {
    const config = defaultConfig();
    config.waivers = [{ check: 'tls.b', resource: { name: 'web' }, reason: 'r', owner: 'o', expires: '2026-11-26' }];
    const { report } = auditSnapshot({ snapshot: snapshotFromObjects([]), config, checks, now: NOW, startedAt: NOW, runId: 'r3' });
    expect(report.findings.find((f) => f.check === 'tls.b')?.waived).toBe(true);
  });
});

describe('implied findings (Check.implies, impliesWhen)', () => {
  // rbac.cluster-admin-binding's rule: a cause held only in a namespace implies nothing; held
  // cluster-wide, it folds a narrower finding on the same resource under it (impliedBy).
  const scoped = (name: string, scope: string): Verdict => ({ ...fail(name), evidence: { scopes: [scope] } });
  const cause: Check = {
    ...check('t.cause', 'rbac', 'critical', [scoped('wide', 'cluster-wide'), scoped('narrow', 'in shop'), { ...fail('bare'), evidence: undefined }]),
    implies: ['t.effect'],
    impliesWhen: (f) => Array.isArray(f.evidence?.scopes) && (f.evidence.scopes as string[]).includes('cluster-wide'),
  };
  const effect = check('t.effect', 'rbac', 'high', [fail('wide'), fail('narrow'), fail('bare'), fail('other')]);
  const implied = (spool: (() => Spool | null) | undefined, checks: Check[]) => {
    const { report } = auditSnapshot({ snapshot: snapshotFromObjects([]), config: defaultConfig(), checks, now: NOW, startedAt: NOW, runId: 'r1', spool });
    const of = (id: string, name: string) => report.findings.find((f) => f.check === id && f.resource.name === name)!;
    // A check neither implying nor implied, between them, failing on the same resources: never folded.
    expect(report.findings.filter((f) => f.check === 't.unrelated' && f.impliedBy !== undefined)).toEqual([]);
    return Object.fromEntries(['wide', 'narrow', 'bare', 'other'].map((n) => [n, of('t.effect', n).impliedBy === undefined ? null : of('t.effect', n).impliedBy === of('t.cause', n)?.fingerprint]));
  };
  const unrelated = check('t.unrelated', 'rbac', 'low', [fail('wide'), fail('narrow')]);

  it('folds only under a cause impliesWhen accepts, the same with and without a spool, in either check order', () => {
    for (const spool of [undefined, () => Spool.open()]) {
      for (const checks of [[cause, unrelated, effect], [effect, unrelated, cause], [unrelated, cause, effect]]) {
        expect(implied(spool, checks)).toEqual({ wide: true, narrow: null, bare: null, other: null });
      }
    }
  });

  it('asks impliesWhen of each finding as it is made, its evidence in memory, not read back from the spool', () => {
    const asked: boolean[] = [];
    const spying: Check = { ...cause, impliesWhen(f) { asked.push(isSpooled(f)); return cause.impliesWhen!(f); } };
    expect(implied(() => Spool.open(), [spying, effect])).toEqual({ wide: true, narrow: null, bare: null, other: null });
    expect(asked).toEqual([false, false, false]);
  });

  it('a cause of a check that threw implies nothing', () => {
    const throwing: Check = { ...cause, evaluate: function* () { yield scoped('wide', 'cluster-wide'); throw new Error('boom'); } };
    for (const spool of [undefined, () => Spool.open()]) {
      expect(implied(spool, [throwing, effect])).toEqual({ wide: null, narrow: null, bare: null, other: null });
    }
  });
});
