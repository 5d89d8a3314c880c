// Reports for the report and notify tests, built the way a real run builds them: a snapshot
// from plain objects, the registered CHECKS plus a few local fake checks (so findings,
// per-result severities, waivers, coverage gaps and errors exist whatever the areas
// currently register), and a diff between two runs.
import { CHECKS } from '../../../checks/index.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig, type Config } from '../../../src/config/types.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { AREAS, type Area } from '../../../src/base/vocabulary.ts';
import { type Check } from '../../../src/engine/types.ts';
import type { Finding, MeshWorkloadDetail, RunDiff, RunReport } from '../../../src/run/types.ts';
import { mtlsPostureOf } from '../../../src/analysis/mesh/index.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import type { TrendPoint } from '../../../src/report/view/index.ts';

export const HOSTILE = ['<script>alert(1)</script>', '{{constructor}}', '<!channel>'] as const;
export const HOSTILE_CLUSTER = 'prod-<b>eu</b> *bold* _it_ ~strike~ <!channel> {{constructor}}';

const sa = (namespace: string, name: string, labels: Record<string, string> = {}): KubeObject =>
  ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { namespace, name, labels } });
const ns = (name: string, labels: Record<string, string> = {}): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });

export const fakeChecks: Check[] = [
  {
    id: 'fake.rbac-wide-serviceaccount', area: 'rbac', title: 'ServiceAccount holds wide permissions', severity: 'high', protectsAgainst: 'a test scenario',
    controls: ['CIS-1.10:5.1.1', 'NSA-CISA:AA/rbac', 'NIST-800-53:AC-6', 'NIST-800-207:T6'],
    remediation: 'Bind the ServiceAccount to a Role scoped to what it does.', needs: ['serviceaccounts'],
    evaluate: (ctx) => (ctx.snapshot.resources.serviceaccounts ?? []).map((o) => ({
      status: o.metadata?.labels?.wide === 'true' ? 'fail' : 'pass',
      resource: { kind: 'ServiceAccount', namespace: o.metadata?.namespace, name: o.metadata?.name ?? '' },
      message: o.metadata?.labels?.wide === 'true' ? `ServiceAccount ${o.metadata?.name} can list secrets cluster-wide` : 'scoped',
      evidence: { verbs: ['get', 'list', 'watch'], resources: ['secrets'], via: `ClusterRoleBinding ${o.metadata?.name}-binding` },
      severity: o.metadata?.labels?.variant === 'low' ? 'low' : undefined,
    })),
  },
  {
    id: 'fake.network-namespace-open', area: 'network', title: 'Namespace admits all ingress', severity: 'critical', protectsAgainst: 'a test scenario',
    controls: ['CIS-1.10:5.3.2', 'NSA-CISA:NS/network-policies', 'NIST-800-53:SC-7', 'NIST-800-207:T6'],
    remediation: 'Add a default-deny NetworkPolicy to the namespace.', needs: ['namespaces', 'networkpolicies'],
    evaluate: (ctx) => (ctx.snapshot.resources.namespaces ?? []).map((o) => ({
      status: o.metadata?.labels?.open === 'true' ? 'fail' : 'pass',
      resource: { kind: 'Namespace', name: o.metadata?.name ?? '' },
      message: o.metadata?.labels?.open === 'true' ? 'no NetworkPolicy isolates pods for ingress' : 'isolated',
      evidence: o.metadata?.labels?.open === 'true' ? { pods: 3 } : undefined,
    })),
  },
  {
    id: 'fake.tls-needs-traefik', area: 'tls', title: 'Traefik TLSOption minimum version', severity: 'medium', protectsAgainst: 'a test scenario',
    controls: ['NIST-800-53:SC-8'], remediation: 'Set minVersion: VersionTLS12.', needs: ['traefik.tlsoptions'],
    evaluate: () => [],
  },
  {
    id: 'fake.tls-ingress', area: 'tls', title: 'Ingress without TLS', severity: 'medium', protectsAgainst: 'a test scenario',
    controls: ['NIST-800-53:SC-8', 'NIST-800-207:T2'], remediation: 'Add a tls section.', needs: ['namespaces'],
    evaluate: (ctx) => (ctx.snapshot.resources.namespaces ?? []).slice(0, 3).map((o) => ({
      status: 'pass', resource: { kind: 'Namespace', name: o.metadata?.name ?? '' }, message: 'ok',
    })),
  },
  {
    id: 'fake.pod-security-throws', area: 'pod-security', title: 'A check that crashes', severity: 'low', protectsAgainst: 'a test scenario',
    controls: [], remediation: 'n/a', needs: ['pods'],
    evaluate: () => { throw new Error('boom'); },
  },
];

export interface BuiltRun {
  report: RunReport;
  previous: RunReport;
  trend: TrendPoint[];
}

function config(now: Date): Config {
  const c = defaultConfig();
  const soon = new Date(now.getTime() + 5 * 86_400_000).toISOString().slice(0, 10);
  c.waivers = [
    { check: 'fake.rbac-wide-serviceaccount', resource: { kind: 'ServiceAccount', namespace: 'ci', name: 'deployer' }, reason: 'CI pipeline rewrite pending', owner: 'platform@acme.example', expires: '2099-03-31' },
    { check: 'fake.rbac-wide-serviceaccount', resource: { kind: 'ServiceAccount', namespace: 'ci', name: 'builder' }, reason: 'vendor tool <needs> "it" & more', owner: 'sec@acme.example', expires: soon },
    { check: 'fake.network-namespace-open', resource: { name: 'nothing-like-this' }, reason: 'stale', owner: 'nobody@acme.example', expires: '2099-01-01' },
  ];
  return c;
}

function objects(variant: 'previous' | 'current', hostile: boolean): KubeObject[] {
  const out: KubeObject[] = [
    ns('shop', { open: 'true' }), ns('payments'), ns('ci'), ns('monitoring', variant === 'previous' ? { open: 'true' } : {}),
    sa('ci', 'deployer', { wide: 'true' }), sa('ci', 'builder', { wide: 'true' }),
    sa('shop', 'frontend'), sa('payments', 'api', variant === 'current' ? { wide: 'true' } : {}),
    sa('monitoring', 'prometheus', { wide: 'true', variant: 'low' }),
  ];
  if (variant === 'previous') out.push(sa('shop', 'legacy-admin', { wide: 'true' }));
  if (hostile) for (const h of HOSTILE) out.push(sa('shop', h, { wide: 'true' }));
  return out;
}

export function auditObjects(objs: KubeObject[], at: Date, runId: string, clusterName: string, cfg: Config, checks: readonly Check[]): RunReport {
  const snapshot = snapshotFromObjects(objs, { clusterName, clusterVersion: 'v1.36.3', collectedAt: at.toISOString(), notes: ['skipped v1 Secret: not a kind ztaudit audits'] });
  return auditSnapshot({ snapshot, config: cfg, checks, now: at, runId, startedAt: at }).report;
}

/** The diff as src/diff computes it, reduced to what the report tests need. */
export function diffOf(previous: RunReport, current: RunReport, regressionReasons: string[] = []): RunDiff {
  const before = new Set(previous.findings.filter((f) => !f.waived).map((f) => f.fingerprint));
  const after = new Set(current.findings.filter((f) => !f.waived).map((f) => f.fingerprint));
  const delta = (a: number | null, b: number | null) => (a === null || b === null ? null : Math.round((b - a) * 10) / 10);
  const areas = {} as Record<Area, number | null>;
  for (const a of AREAS) areas[a] = delta(previous.score.areas[a], current.score.areas[a]);
  const added = [...after].filter((f) => !before.has(f));
  return {
    previousRunId: previous.run.id,
    previousStartedAt: previous.run.startedAt,
    new: added,
    resolved: [...before].filter((f) => !after.has(f)),
    persisting: [...after].filter((f) => before.has(f)).length,
    scoreDelta: { overall: delta(previous.score.overall, current.score.overall), areas },
    breadthGrowth: [],
    notComparable: [],
    partial: false,
    regression: added.length > 0 || regressionReasons.length > 0,
    regressionReasons: regressionReasons.length > 0 ? regressionReasons : added.length > 0 ? [`${added.length} new finding(s) of severity high or above`] : [],
  };
}

/**
 * Two runs and a trend. By default only the fake checks run, so scores and counts are fixed
 * numbers; `catalog: true` adds every registered check (whatever the areas have landed).
 */
export function buildRun(opts: { hostile?: boolean; clusterName?: string; catalog?: boolean } = {}): BuiltRun {
  const checks = opts.catalog ? [...CHECKS, ...fakeChecks] : fakeChecks;
  const now = new Date('2026-11-26T02:00:00Z');
  const prevAt = new Date('2026-11-25T02:00:00Z');
  const name = opts.clusterName ?? 'prod-eu-1';
  const previous = auditObjects(objects('previous', false), prevAt, 'run-20261125-0200', name, config(prevAt), checks);
  const report = auditObjects(objects('current', opts.hostile ?? false), now, 'run-20261126-0200', name, config(now), checks);
  report.diff = diffOf(previous, report);
  const trend: TrendPoint[] = [];
  for (let i = 14; i >= 1; i--) {
    const at = new Date(now.getTime() - i * 86_400_000).toISOString();
    const wobble = (k: number) => Math.round((60 + ((i * 7 + k * 13) % 30)) * 10) / 10;
    trend.push({ id: `run-${i}`, startedAt: at, overall: wobble(0), areas: { network: wobble(1), tls: wobble(2), rbac: wobble(3), 'pod-security': i > 10 ? null : wobble(4), mtls: null } });
  }
  return { report, previous, trend };
}

/** A synthetic report of `n` findings across a handful of checks, for size and speed bounds. */
export function syntheticReport(n: number): RunReport {
  const { report } = buildRun();
  const checks = [
    { id: 'network.namespace-default-deny-ingress', area: 'network' as const, severity: 'high' as const, kind: 'Namespace' },
    { id: 'pod-security.pod-violates-target', area: 'pod-security' as const, severity: 'medium' as const, kind: 'Deployment' },
    { id: 'rbac.wildcard-permission', area: 'rbac' as const, severity: 'critical' as const, kind: 'ClusterRole' },
    { id: 'mtls.workload-outside-mesh', area: 'mtls' as const, severity: 'medium' as const, kind: 'Deployment' },
    { id: 'tls.ingress-without-tls', area: 'tls' as const, severity: 'high' as const, kind: 'Ingress' },
  ];
  const findings: Finding[] = [];
  for (let i = 0; i < n; i++) {
    const c = checks[i % checks.length];
    const namespace = c.kind === 'ClusterRole' ? undefined : `team-${String(i % 997).padStart(3, '0')}`;
    findings.push({
      fingerprint: `fp${i.toString(16).padStart(18, '0')}`, check: c.id, area: c.area, severity: c.severity,
      resource: { kind: c.kind, ...(namespace ? { namespace } : {}), name: `workload-${i}` },
      message: `${c.kind} workload-${i} fails ${c.id}`, controls: ['CIS-1.10:5.3.2', 'NIST-800-53:SC-7'],
      evidence: { podCount: (i % 10) + 1, container: `app-${i % 3}` }, waived: false,
    });
  }
  const summaries = checks.map((c) => {
    const failed = findings.filter((f) => f.check === c.id).length;
    return { id: c.id, area: c.area, title: `Synthetic ${c.id}`, severity: c.severity, controls: ['CIS-1.10:5.3.2', 'NIST-800-53:SC-7'], remediation: 'Fix it.', evaluated: failed * 2, passed: failed, failed, waived: 0, status: 'fail' as const };
  });
  return {
    ...report,
    checks: [...report.checks, ...summaries],
    findings: [...report.findings, ...findings],
    diff: { ...report.diff!, new: [...report.diff!.new, ...findings.slice(0, Math.min(n, 20_000)).map((f) => f.fingerprint)] },
  };
}

export interface PostureSizes { subjects?: number; meshWorkloads?: number; exposed?: number; hostile?: boolean }

/**
 * report.details as src/analysis/details.ts writes them (same entry shapes as meshWorkloadModes
 * and WorkloadExposure), with known counts: `meshWorkloads` cycles through the modes
 * STRICT, PERMISSIVE, DISABLE, none, linkerd:all-authenticated, linkerd:all-unauthenticated;
 * every third exposed workload is reachable only from every namespace. Also records breadth
 * growth in the diff for the second-broadest subject. `hostile` names one of each after HOSTILE.
 */
export function withPosture(report: RunReport, sizes: PostureSizes = {}): RunReport {
  const subjects = sizes.subjects ?? 12;
  const meshCount = sizes.meshWorkloads ?? 12;
  const exposed = sizes.exposed ?? 6;
  const h = (i: number, fallback: string) => (sizes.hostile && i < HOSTILE.length ? HOSTILE[i] : fallback);
  const breadth = Array.from({ length: subjects }, (_, i) => ({
    subject: i % 2 === 0 ? { kind: 'ServiceAccount', namespace: 'ci', name: h(i, `sa-${i}`) } : { kind: 'Group', name: `group-${i}` },
    breadth: 1000 * (subjects - i) + 7,
  }));
  const modes = ['STRICT', 'PERMISSIVE', 'DISABLE', 'none', 'linkerd:all-authenticated', 'linkerd:all-unauthenticated'] as const;
  const workloads = Array.from({ length: meshCount }, (_, i) => {
    const mode = modes[i % modes.length];
    const mesh = mode === 'none' ? 'none' : mode.startsWith('linkerd:') ? 'linkerd' : 'istio';
    return { workload: { kind: 'Deployment', namespace: `team-${String(i % 7).padStart(2, '0')}`, name: h(i, `svc-${String(i).padStart(5, '0')}`) }, mesh, mode, posture: mtlsPostureOf(mode) } as MeshWorkloadDetail;
  });
  const exposure = Array.from({ length: exposed }, (_, i) => {
    const ref = { kind: 'Deployment', namespace: 'edge', name: h(i, `web-${String(i).padStart(5, '0')}`) };
    const external = i % 3 === 2 ? [] : [
      { via: i % 3 === 0 ? 'LoadBalancer' as const : 'NodePort' as const, through: { kind: 'Service', namespace: 'edge', name: h(i, `lb-${i}`) }, ports: 'TCP 443', allowedByPolicy: true },
      { via: 'Ingress' as const, through: { kind: 'Ingress', namespace: 'edge', name: `ing-${i}` }, ports: 'TCP 8443', allowedByPolicy: 'not-evaluated' as const },
    ];
    return { workload: ref, podCount: 2, external, fromAllNamespaces: i % 3 !== 0, ingressIsolated: i % 3 === 0 };
  });
  const diff = report.diff ? {
    ...report.diff,
    breadthGrowth: subjects > 1 ? [{ subject: breadth[1].subject, before: 800, after: breadth[1].breadth, growthPercent: Math.round((1000 * (breadth[1].breadth - 800)) / 800) / 10 }] : [],
  } : null;
  return { ...report, diff, details: { rbac: { breadth }, mtls: { workloads }, network: { exposure } } };
}

/** Resource names a report must carry through every format unharmed: markup, quotes, control characters, line breaks, formula starts. */
export const HOSTILE_NAMES = [
  'quo"te\'s', 'a<b&c>d]]></failure>', 'ctl\u0001\u0007\u001f\u007f', 'new\nline\r\nend', '=HYPERLINK("x")', 'comma,semi;colon',
  'lone \ud800 surrogate', 'emoji 😀 ü 日本', '-1+1', '@sum', '\ttab',
] as const;

/**
 * buildRun({ hostile: true }) with a cluster name and findings named after HOSTILE_NAMES (open
 * and waived, with evidence), one finding of a check the catalog does not list, and the run's
 * version pinned: fixed text for every format, whatever the package version.
 */
export function hostileReport(): RunReport {
  const { report } = buildRun({ hostile: true, clusterName: 'prod "eu" <1> & \'x\'\u0002\nnext' });
  report.run.toolVersion = '0.0.0-test';
  const base = report.findings.find((f) => f.check === 'fake.rbac-wide-serviceaccount' && !f.waived)!;
  const waived = report.findings.find((f) => f.waived && f.waiver)!;
  const extra = HOSTILE_NAMES.flatMap((name, i): Finding[] => [
    { ...base, fingerprint: `hostile-${i}`, resource: { kind: 'ServiceAccount', namespace: `ns-${name}`, name }, message: `ServiceAccount ${name} can list secrets`, evidence: { name, nested: { list: [name, i] } } },
    { ...waived, fingerprint: `hostile-waived-${i}`, resource: { kind: 'ServiceAccount', name }, waiver: { ...waived.waiver!, reason: `because ${name}` } },
  ]);
  const unlisted: Finding = { ...base, fingerprint: 'unlisted-check', check: 'retired.check', area: 'tls', severity: 'low', message: 'from a check no longer in the catalog', evidence: undefined };
  report.findings = [...report.findings, ...extra, unlisted];
  return report;
}

/**
 * Names that read as "alice", "bob", "team a" and "team b" but are not: a zero-width space and a
 * BOM (zero-width no-break space) after them, a no-break space (U+00A0) and an ideographic space
 * (U+3000, general category Zs in UnicodeData.txt) for the space, as a User in a
 * ClusterRoleBinding may be written (the API server checks a User's name for nothing but being
 * non-empty: kubernetes pkg/apis/rbac/validation/validation.go, validateRoleBindingSubject). No
 * waiver for "alice" or "team a" matches them; every output a person reads must show the difference.
 */
export const INVISIBLE_USERS = ['alice\u200b', 'bob\ufeff', 'team\u00a0a', 'team\u3000b'] as const;
/** INVISIBLE_USERS as every human-read output writes them. */
export const INVISIBLE_USERS_SHOWN = ['alice\\u200b', 'bob\\ufeff', 'team\\u00a0a', 'team\\u3000b'] as const;
/** Any zero-width space, BOM, no-break or ideographic space left raw. */
export const RAW_INVISIBLE = /[\u200b\ufeff\u00a0\u3000]/;

/**
 * buildRun() with a cluster named "prod" and a zero-width space, and a new critical finding on
 * each of INVISIBLE_USERS (open, on a check mapped to controls), each named by a regression reason.
 */
export function invisibleRun(): BuiltRun {
  const built = buildRun({ clusterName: 'prod\u200b' });
  const { report } = built;
  const base = report.findings.find((f) => f.check === 'fake.rbac-wide-serviceaccount' && !f.waived)!;
  const added = INVISIBLE_USERS.map((name, i): Finding => ({
    ...base, fingerprint: `fp-invisible-${i}`, severity: 'critical', resource: { kind: 'User', name },
    message: `User:${name} can do anything on any resource (cluster-admin equivalent) cluster-wide`, evidence: { subject: name },
  }));
  report.findings = [...report.findings, ...added];
  report.diff = { ...report.diff!, new: [...report.diff!.new, ...added.map((f) => f.fingerprint)], regression: true, regressionReasons: added.map((f) => `new critical finding: ${f.message}`) };
  return built;
}

/** Text a hostile cluster can put into a message or a name, `n` characters of it. */
export const HOSTILE_TEXT: Record<string, (n: number) => string> = {
  ascii: (n) => 'x'.repeat(n),
  quotes: (n) => '"'.repeat(n),
  markup: (n) => '<&>'.repeat(n).slice(0, n),
  controls: (n) => '\u0001\u001b\u0002'.repeat(n).slice(0, n),
  cjk: (n) => '日本'.repeat(n).slice(0, n),
  emoji: (n) => '😀'.repeat(n).slice(0, n),
  // What YAML refuses in a document (DEL, C1 controls, noncharacters, half a character) or reads as a line break.
  refused: (n) => '\u007f\u009b\ufffe\uffff\ud800'.repeat(n).slice(0, n),
  folded: (n) => '\u0085\u2028\u2029'.repeat(n).slice(0, n),
};

/**
 * `count` findings per kind of text above, each with every field as long as a finding's gets
 * (messages, names, waivers), for the PolicyReport size bounds; `namespaceOf` names the
 * namespace of each kind of text (one of 63 characters by default).
 */
export function worstCaseRun(count: number, namespaceOf: (label: string) => string = (label) => `ns-${label}`.padEnd(63, 'x')): RunReport {
  const { report } = buildRun();
  const waived = report.findings.find((f) => f.waived && f.waiver)!;
  const findings: Finding[] = [];
  for (const [label, text] of Object.entries(HOSTILE_TEXT)) {
    for (let i = 0; i < count; i++) {
      const id = `${label}-${i}`;
      const open = i % 3 !== 0;
      findings.push({
        ...waived, waived: !open, ...(open ? { waiver: undefined } : { waiver: { reason: text(2000), owner: text(300), expires: '2027-01-01' } }),
        fingerprint: `fp-${id}`, message: `${id} ${text(5000)}`, controls: ['CIS-1.10:5.1.1', 'NIST-800-53:AC-6', text(600)],
        // A ServiceAccount's name is at most 253 characters, a namespace's 63; a Group's (cluster-wide) has no limit.
        resource: i % 4 === 3 ? { kind: 'Group', name: `${id}-${text(10_000)}` } : { kind: 'ServiceAccount', namespace: namespaceOf(label), name: `${id}-${text(253)}` },
      });
    }
  }
  // From --manifests a name has no limit at all: one result must still fit in an object.
  findings.push({ ...findings[1]!, fingerprint: 'fp-huge-name', resource: { kind: 'Group', name: HOSTILE_TEXT.markup(300_000) } });
  return { ...report, findings };
}
