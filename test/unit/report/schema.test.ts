import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { buildRun, syntheticReport } from './fixtures.ts';
import { demoRun } from './demo.ts';
import { CHECKS } from '../../../checks/index.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { runDetails } from '../../../src/analysis/details.ts';

const schema = JSON.parse(readFileSync(new URL('../../../schemas/report.schema.json', import.meta.url), 'utf8'));
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
const validate = ajv.compile(schema);

/** report.json as written: JSON round trip drops undefined fields. */
const asWritten = (r: unknown) => JSON.parse(JSON.stringify(r));

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const resolve = (node: Json): { [k: string]: Json } => {
  let n = node as { [k: string]: Json };
  while (typeof n.$ref === 'string') n = (schema.$defs as { [k: string]: Json })[n.$ref.replace('#/$defs/', '')] as { [k: string]: Json };
  return n;
};

/**
 * The properties the schema declares where `value` has an object that none of `values` fills:
 * "details.mtls.leftovers[].kinds". A field the code emits that the schema lacks fails
 * validation; this says which of the schema's fields a fixture leaves untried.
 */
function untried(node: Json, values: Json[], path: string): string[] {
  const n = resolve(node);
  const out: string[] = [];
  for (const alt of [...((n.oneOf ?? []) as Json[]), ...((n.anyOf ?? []) as Json[])]) out.push(...untried(alt, values, path));
  const objects = values.filter((v): v is { [k: string]: Json } => v !== null && typeof v === 'object' && !Array.isArray(v));
  if (n.properties && objects.length > 0) {
    for (const [k, sub] of Object.entries(n.properties as { [k: string]: Json })) {
      const present = objects.filter((o) => k in o).map((o) => o[k]);
      if (present.length === 0) out.push(`${path}.${k}`);
      else out.push(...untried(sub, present, `${path}.${k}`));
    }
  }
  const arrays = values.filter((v): v is Json[] => Array.isArray(v));
  if (n.items && typeof n.items === 'object' && arrays.length > 0) out.push(...untried(n.items, arrays.flat(), `${path}[]`));
  return [...new Set(out)];
}

describe('schemas/report.schema.json', () => {
  it('accepts reports produced by auditSnapshot over the registered catalog plus fake checks, with waivers, errors and a diff', () => {
    const { report, previous } = buildRun({ catalog: true, hostile: true });
    expect(report.findings.some((f) => f.waived)).toBe(true);
    expect(report.checks.some((c) => c.status === 'not-evaluated')).toBe(true);
    expect(report.checks.some((c) => c.status === 'error')).toBe(true);
    expect(report.diff).not.toBeNull();
    report.notifications.push({ channel: 'slack', status: 'failed', detail: 'channel_not_found' });
    report.diff!.unreadableRuns = ['20261126T020000Z-badbad']; // a stored run the diff passed over
    for (const r of [report, previous]) {
      const ok = validate(asWritten(r));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it('accepts an unmatched waiver with the open finding it no longer covers; refuses one without its resource', () => {
    const { report } = buildRun({ catalog: true });
    const sa = { kind: 'ServiceAccount', namespace: 'kube-system', name: 'ci-deployer' };
    report.waivers.push({ check: 'rbac.wildcard-permission', resource: { kind: 'ClusterRole', name: 'ci-deployer' }, reason: 'CI', owner: 'o', expires: '2099-01-01', state: 'unmatched', matched: 0,
      openFinding: { fingerprint: 'abc', resource: sa, more: 1, coveredIn: '20261126T020000Z-aaaaaa', notNamed: { kind: 'Role', namespace: 'payments', name: 'ops' } } });
    expect(validate(asWritten(report)), JSON.stringify(validate.errors)).toBe(true);
    delete (report.waivers.at(-1)!.openFinding as Partial<NonNullable<typeof report.waivers[number]['openFinding']>>).resource;
    expect(validate(asWritten(report))).toBe(false);
  });

  it('accepts a check carried with waived findings alone (lastEvaluatedOpen waived); refuses waived 0', () => {
    const { report } = buildRun({ catalog: true });
    report.run.lastEvaluatedOpen = [{ check: 'rbac.wildcard-permission', runId: '20261126T020000Z-aaaaaa', open: { critical: 0, high: 0, medium: 0, low: 0 }, waived: 2 }];
    expect(validate(asWritten(report)), JSON.stringify(validate.errors)).toBe(true);
    report.run.lastEvaluatedOpen[0]!.waived = 0;
    expect(validate(asWritten(report))).toBe(false);
  });

  it('accepts lastEvaluatedOpen waived with its severities (waivedBySeverity) and without (runs of earlier versions); refuses a severity it does not know', () => {
    const { report } = buildRun({ catalog: true });
    report.run.lastEvaluatedOpen = [
      { check: 'rbac.wildcard-permission', runId: '20261126T020000Z-aaaaaa', open: { critical: 0, high: 0, medium: 0, low: 0 }, waived: 2, waivedBySeverity: { critical: 0, high: 2, medium: 0, low: 0 } },
      { check: 'rbac.cluster-admin-binding', runId: '20261126T020000Z-aaaaaa', open: { critical: 0, high: 0, medium: 0, low: 0 }, waived: 1 },
    ];
    expect(validate(asWritten(report)), JSON.stringify(validate.errors)).toBe(true);
    (report.run.lastEvaluatedOpen[0]!.waivedBySeverity as Record<string, number>).info = 1;
    expect(validate(asWritten(report))).toBe(false);
  });

  it('accepts the basis of the RBAC breadth and a diff that did not compare it; refuses a basis it does not know', () => {
    const { report } = buildRun({ catalog: true });
    report.details.rbac = { breadth: [{ subject: { kind: 'Group', name: 'dev-team' }, breadth: 108 }], breadthBasis: 'partial', breadthMissingGroups: ['metrics.k8s.io', ''] };
    report.diff!.breadthNotCompared = 'RBAC breadth not compared: run A counted it against the resources the API server serves, run B against partial API discovery (metrics.k8s.io, core: discovery failed, built-in list used for them)';
    const ok = validate(asWritten(report));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    const bad = asWritten(report) as { details: { rbac: Record<string, unknown> } };
    bad.details.rbac.breadthBasis = 'guessed';
    expect(validate(bad)).toBe(false);
  });

  it('accepts the subjects rbac.ignoreSubjects leaves out that hold grants (details.rbac.ignored, and ignoredTotal past the 200 listed); refuses one without its bindings', () => {
    const at = new Date('2026-11-26T02:00:00Z');
    const binding = (name: string, subject: Record<string, string>) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [subject],
    });
    const objects = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ci' } },
      ...Array.from({ length: 201 }, (_, i) => binding(`ci-${i}`, { kind: 'ServiceAccount', namespace: 'ci', name: `runner-${String(i).padStart(3, '0')}` })),
    ];
    const snapshot = snapshotFromObjects(objects, { clusterName: 'c', collectedAt: at.toISOString() });
    const config = defaultConfig();
    config.rbac.ignoreSubjects = [{ kind: 'ServiceAccount', namespace: 'ci', name: 'runner-*' }];
    const { report } = auditSnapshot({ snapshot, config, checks: CHECKS, now: at, runId: 'r', startedAt: at, details: runDetails });
    expect(report.details.rbac?.ignored).toHaveLength(200);
    expect(report.details.rbac?.ignored?.[0]).toEqual({ subject: { kind: 'ServiceAccount', namespace: 'ci', name: 'runner-000' }, bindings: [{ binding: { kind: 'ClusterRoleBinding', name: 'ci-0' }, role: { kind: 'ClusterRole', name: 'view' } }] });
    expect(report.details.rbac?.ignoredTotal).toBe(201);
    const ok = validate(asWritten(report));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    const bad = asWritten(report) as { details: { rbac: { ignored: Array<Record<string, unknown>> } } };
    delete bad.details.rbac.ignored[0]!.bindings;
    expect(validate(bad)).toBe(false);
  });

  it('accepts a run whose auditor could not list pods: the checks name the kinds they could not read', () => {
    const at = new Date('2026-11-26T02:00:00Z');
    const snapshot = snapshotFromObjects([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }], { clusterName: 'c', collectedAt: at.toISOString() });
    snapshot.coverage.pods = { status: 'forbidden', detail: 'list pods' };
    const { report } = auditSnapshot({ snapshot, config: defaultConfig(), checks: CHECKS, now: at, runId: 'r', startedAt: at });
    expect(report.checks.filter((c) => c.unreadable).every((c) => c.status === 'not-evaluated' && c.unreadable!.includes('pods'))).toBe(true);
    expect(report.checks.some((c) => c.unreadable)).toBe(true);
    const ok = validate(asWritten(report));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('accepts the demo run: typed details (mTLS posture, exposure), implied findings and score-change causes', () => {
    const { report, previous } = demoRun();
    expect(report.findings.some((f) => f.impliedBy)).toBe(true);
    expect(Object.keys(report.diff!.scoreChanges!).length).toBeGreaterThan(0);
    expect(report.details.mtls!.workloads.every((w) => typeof w.posture === 'string')).toBe(true);
    for (const r of [report, previous]) {
      const ok = validate(asWritten(r));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
    const bad = asWritten(report) as { details: { mtls: { workloads: Array<Record<string, unknown>> } } };
    bad.details.mtls.workloads[0].posture = 'secure-ish';
    expect(validate(bad)).toBe(false);
  });

  // Helm installs a chart's CRDs and never upgrades or deletes them
  // (https://helm.sh/docs/topics/charts/#limitations-on-crds): `helm uninstall istiod` leaves
  // Istio's CRDs and the PeerAuthentications in them. The demo cluster, saved from a live
  // cluster, after its namespaces lost their istio-injection labels.
  const istioUninstalled = () => demoRun({ live: true, change: (s) => { for (const n of s.resources.namespaces ?? []) delete n.metadata?.labels?.['istio-injection']; } });

  it('accepts a run whose mesh left its CRDs behind (details.mtls.leftovers) and the diff saying so (meshesRemoved leftover): Helm never deletes CRDs', () => {
    const { report, previous } = istioUninstalled();
    expect(report.details.mtls?.leftovers).toEqual([expect.objectContaining({ mesh: 'istio', kinds: expect.arrayContaining(['istio.peerauthentications']) })]);
    expect(report.diff?.meshesRemoved).toEqual([expect.objectContaining({ mesh: 'istio', runId: previous.run.id, leftover: { objects: report.details.mtls!.leftovers![0]!.objects } })]);
    const ok = validate(asWritten(report));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    const cases: Array<(r: { details: { mtls: { leftovers: Array<Record<string, unknown>> } }; diff: { meshesRemoved: Array<{ leftover: Record<string, unknown> }> } }) => void> = [
      (r) => { delete r.details.mtls.leftovers[0].text; },
      (r) => { r.details.mtls.leftovers[0].mesh = 'kuma'; },
      (r) => { r.details.mtls.leftovers[0].kinds = []; },
      (r) => { r.details.mtls.leftovers[0].objects = -1; },
      (r) => { r.diff.meshesRemoved[0].leftover.kinds = 1; },
      (r) => { delete r.diff.meshesRemoved[0].leftover.objects; },
    ];
    for (const mutate of cases) {
      const r = asWritten(report);
      mutate(r);
      expect(validate(r), mutate.toString()).toBe(false);
    }
  });

  it('accepts a served, empty consul.meshes CRD beside a running Istio: the mTLS posture lists the workloads and Consul\'s leftover CRD', () => {
    const { report } = demoRun({ change: (s) => { s.coverage['consul.meshes'] = { status: 'ok', count: 0 }; s.resources['consul.meshes'] = []; } });
    expect(report.details.mtls?.workloads.some((w) => w.mesh === 'istio')).toBe(true);
    expect(report.details.mtls?.leftovers).toEqual([expect.objectContaining({ mesh: 'consul', kinds: ['consul.meshes'], objects: 0 })]);
    const ok = validate(asWritten(report));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('accepts the richest report the pipeline builds: every details block (mTLS posture with port modes, callers, L4 without L7 and leftover CRDs; RBAC breadth over partial discovery; exposure; egress) and a diff with new, widened, newly waived and first-evaluated findings, score causes and a removed mesh', () => {
    const rich = demoRun({ change: (s) => {
      s.coverage['consul.meshes'] = { status: 'ok', count: 0 };
      s.resources['consul.meshes'] = [];
      // A port of payments-api relaxed (istio.io/latest/docs/reference/config/security/peer_authentication/, portLevelMtls).
      s.resources['istio.peerauthentications']!.push({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'api-port', namespace: 'payments' }, spec: { selector: { matchLabels: { app: 'payments-api' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 8443: { mode: 'PERMISSIVE' } } } });
      // Discovery of one API group failed (a metrics-server answering 503).
      s.apiResources = [{ group: '', version: 'v1', resource: 'secrets', namespaced: true, verbs: ['get', 'list'] }];
      s.apiResourcesMissing = ['metrics.k8s.io'];
      // One more workload in monitoring, which no NetworkPolicy isolates: its findings cover more (diff.widened).
      const prometheus = s.resources.deployments!.find((d) => d.metadata?.namespace === 'monitoring')!;
      s.resources.deployments!.push({ ...prometheus, metadata: { ...prometheus.metadata, name: 'alertmanager' } });
    }, baselineChange: (s) => {
      // cert-manager installed since: its checks are evaluated for the first time (diff.firstEvaluated).
      for (const k of ['certmanager.certificates', 'certmanager.issuers'] as const) { s.coverage[k] = { status: 'absent' }; delete s.resources[k]; }
    } });
    const removed = istioUninstalled();
    const reports = [rich.report, rich.previous, removed.report].map(asWritten);
    for (const r of reports) {
      const ok = validate(r);
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
    expect(rich.report.details.mtls?.leftovers?.[0]?.mesh).toBe('consul');
    expect(removed.report.diff?.meshesRemoved?.[0]?.leftover).toBeDefined();
    // Every field the schema declares under details is in these reports, but for: apiVersion
    // (only a Calico policy's reference carries it), refused (linkerd-refused-posture.test.ts),
    // and the exposure notes only CNI routing, Gateway attachment, source ranges and partial
    // input give, which the demo cluster has none of.
    expect(untried(schema.properties.details, reports.map((r) => r.details), 'details').filter((p) => !p.endsWith('.apiVersion'))).toEqual([
      'details.rbac.ignored', // the demo ignores no subject: the test of rbac.ignoreSubjects above
      'details.rbac.ignoredTotal',
      'details.mtls.workloads[].refused',
      'details.network.exposure[].external[].forwarded',
      'details.network.exposure[].external[].attachmentUnknown',
      'details.network.exposure[].external[].blockedBy',
      'details.network.exposure[].external[].inDoubt',
    ]);
    // And every diff section but those a diff of two runs alone cannot give: the ones the walk
    // over stored runs fills (older baselines, runs passed over, full-input baselines, a diff by
    // summary; schedule/serve-watch.test.ts, diff/degraded-score-marked.test.ts,
    // diff/namespace-not-in-input.test.ts, collect/partial-discovery.test.ts validate most of
    // them, none yet notJudgedRuns, notApplicableBaselines or bySummary), serve's held and
    // undelivered alerts (schedule/serve-watch-holdback.test.ts), and what the demo cluster has
    // no case of (a mesh still installed over no workload: objectsRemain).
    expect(untried(schema.$defs.runDiff, reports.map((r) => r.diff), 'diff').filter((p) => !p.endsWith('.apiVersion'))).toEqual([
      'diff.breadthBaselineRunId',
      'diff.notJudged',
      'diff.notJudgedRuns',
      'diff.olderBaselines',
      'diff.fullInputBaselines',
      'diff.fullInputCarry',
      'diff.degradedAreas',
      'diff.unreadableRuns',
      'diff.notApplicableBaselines',
      'diff.newlyWaived[].waiver.resource.namespace',
      'diff.newlyWaived[].widened',
      'diff.bySummary',
      'diff.undelivered',
      'diff.heldAlerts',
      'diff.widened[].resource.namespace',
      'diff.widened[].others',
      'diff.meshesRemoved[].objectsRemain',
      'diff.meshesRemoved[].covered',
    ]);
    expect(rich.report.diff?.firstEvaluated).toEqual(expect.arrayContaining(['tls.certificate-not-ready']));
  });

  it('accepts a run over a snapshot whose cluster holds a field the report does not declare (a caller\'s own): the report keeps name, server and version', () => {
    const at = new Date('2026-11-26T02:00:00Z');
    const snapshot = snapshotFromObjects([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }], { clusterName: 'c', clusterVersion: 'v1.36.3', collectedAt: at.toISOString() });
    Object.assign(snapshot.cluster, { server: 'https://10.0.0.1:6443', region: 'eu' });
    const { report } = auditSnapshot({ snapshot, config: defaultConfig(), checks: CHECKS, now: at, runId: 'r', startedAt: at });
    expect(report.run.cluster).toEqual({ name: 'c', server: 'https://10.0.0.1:6443', version: 'v1.36.3' });
    const ok = validate(asWritten(report));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('accepts a 50,000-finding report', () => {
    expect(validate(asWritten(syntheticReport(50_000)))).toBe(true);
  });

  it('rejects what the contract does not allow: unknown fields, missing fields, wrong enums, a waived finding without its waiver', () => {
    const { report } = buildRun();
    const cases: Array<(r: ReturnType<typeof asWritten>) => void> = [
      (r) => { r.extra = 1; },
      (r) => { delete r.run.checkCatalogVersion; },
      (r) => { r.schemaVersion = 2; },
      (r) => { r.score.areas.dns = 50; },
      (r) => { r.score.overall = 101; },
      (r) => { r.findings[0].severity = 'urgent'; },
      (r) => { r.checks[0].status = 'ok'; },
      (r) => { r.run.startedAt = 'yesterday'; },
      (r) => { const w = r.findings.find((f: { waived: boolean }) => f.waived); delete w.waiver; },
      (r) => { r.findings.find((f: { waived: boolean }) => !f.waived).waiver = { reason: 'x', owner: 'y', expires: 'z' }; },
      (r) => { r.diff.regression = 'yes'; },
      (r) => { r.waivers[0].state = 'pending'; },
    ];
    for (const mutate of cases) {
      const r = asWritten(report);
      mutate(r);
      expect(validate(r), mutate.toString()).toBe(false);
    }
  });
});
