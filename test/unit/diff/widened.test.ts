// A finding that stands for several objects keeps its fingerprint and severity when it grows:
// the namespace default-deny finding with one more unisolated workload, a subject's Secrets
// finding with one more verb. The diff must call that a regression naming what it now also
// covers, not "persisting". Run with the real checks over manifests.
//
// Isolation per /work/shared/reference/checks.md §1.1 (kubernetes.io/docs/concepts/services-networking/network-policies/#the-two-sorts-of-pod-isolation):
// a pod is ingress-isolated iff some NetworkPolicy in its namespace selects it with Ingress in
// its policyTypes; deleting the one deny-all that selects `api` leaves it unisolated.
// Secrets read per checks.md "Read secrets": get, list or watch on `secrets` (list/watch return contents).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultConfig, type WaiverConfig } from '../../../src/config/types.ts';
import { renderMarkdown } from '../../../src/report/markdown.ts';
import { formatDiff } from '../../../src/cli/diff.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { fingerprintOf } from '../../../src/engine/fingerprint.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { namespaceDefaultDenyIngress } from '../../../checks/network/namespace-default-deny-ingress.ts';
import { secretsClusterRead } from '../../../checks/rbac/secrets-cluster-read.ts';
import { EXTENT_LISTED } from '../../../src/run/extent.ts';
import type { RunReport } from '../../../src/run/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';

const rules = () => defaultConfig().regression;
const SHOP = fingerprintOf('network.namespace-default-deny-ingress', { kind: 'Namespace', name: 'shop' });

const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const deploy = (namespace: string, name: string): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace },
  spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
});
/** A deny-all ingress policy for one workload's pods. */
const denyFor = (namespace: string, app: string): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `deny-${app}`, namespace },
  spec: { podSelector: { matchLabels: { app } }, policyTypes: ['Ingress'] },
});
const secretsReader = (verbs: string[]): KubeObject[] => [
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'ops' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs }, { apiGroups: ['', 'apps'], resources: ['pods', 'services', 'configmaps', 'deployments', 'replicasets', 'statefulsets', 'endpoints', 'events'], verbs: ['get', 'list', 'watch'] }] },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'ops' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'ops' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'ops' }] },
];

function audit(objects: KubeObject[], runId: string, waivers: WaiverConfig[] = []): RunReport {
  const now = new Date('2026-11-20T02:00:00Z');
  const config = defaultConfig();
  config.waivers = waivers;
  return auditSnapshot({
    snapshot: snapshotFromObjects(structuredClone(objects), { clusterName: 'demo' }), config,
    checks: [namespaceDefaultDenyIngress, secretsClusterRead], now, startedAt: now, runId,
  }).report;
}

// shop: web unisolated, api and db each under their own deny-all.
const BEFORE = [ns('shop'), deploy('shop', 'web'), deploy('shop', 'api'), deploy('shop', 'db'), denyFor('shop', 'api'), denyFor('shop', 'db')];

describe('a persisting finding that widens', () => {
  it('calls one more unisolated workload in an already-failing namespace a regression, naming it', () => {
    const a = audit(BEFORE, 'A');
    const b = audit(BEFORE.filter((o) => o.metadata?.name !== 'deny-api'), 'B');
    const d = diffRuns(a, b, { rules: rules(), expiredWaivers: [] });
    expect(d.new).toEqual([]);
    expect(d.persisting).toBe(1);
    expect(d.regression).toBe(true);
    expect(d.regressionReasons).toEqual(['network.namespace-default-deny-ingress on Namespace shop widened: now also Deployment shop/api (1 → 2 workloads)']);
    expect(d.widened).toEqual([{ fingerprint: SHOP, check: 'network.namespace-default-deny-ingress', resource: { kind: 'Namespace', name: 'shop' }, unit: 'workloads', before: 1, after: 2, added: ['Deployment shop/api'] }]);
    // serve --watch holds it back like a new finding, not like an escalation said once.
    expect(d.newFindingReasons).toBe(1);
    // report.json's schema says so: widened lines are among the reasons counted.
    const schema = JSON.parse(readFileSync(new URL('../../../schemas/report.schema.json', import.meta.url), 'utf8')) as { $defs?: Record<string, { properties?: Record<string, { description?: string }> }>; definitions?: Record<string, { properties?: Record<string, { description?: string }> }> };
    const described = Object.values(schema.$defs ?? schema.definitions ?? {}).map((x) => x.properties?.newFindingReasons?.description).find((x) => x !== undefined)!;
    expect(described).toMatch(/How many of regressionReasons new findings make: their lines, the "widened" lines of persisting findings/);
  });

  it('is no regression when a workload is isolated again, or nothing changed', () => {
    const a = audit(BEFORE.filter((o) => o.metadata?.name !== 'deny-api'), 'A');
    const narrower = diffRuns(a, audit(BEFORE, 'B'), { rules: rules(), expiredWaivers: [] });
    expect(narrower).toMatchObject({ new: [], persisting: 1, regression: false, regressionReasons: [] });
    expect(narrower.widened).toBeUndefined();
    const same = diffRuns(a, audit(BEFORE.filter((o) => o.metadata?.name !== 'deny-api'), 'C'), { rules: rules(), expiredWaivers: [] });
    expect(same).toMatchObject({ regression: false, regressionReasons: [] });
    expect(same.widened).toBeUndefined();
  });

  it('claims nothing against a run stored before findings carried an extent', () => {
    const a = audit(BEFORE, 'A');
    for (const f of a.findings) delete f.extent;
    const d = diffRuns(a, audit(BEFORE.filter((o) => o.metadata?.name !== 'deny-api'), 'B'), { rules: rules(), expiredWaivers: [] });
    expect(d).toMatchObject({ persisting: 1, regression: false, regressionReasons: [] });
    expect(d.widened).toBeUndefined();
  });

  it('respects regression.newFindingSeverity: a high finding that widens is listed but no regression at critical', () => {
    const a = audit(BEFORE, 'A');
    const b = audit(BEFORE.filter((o) => o.metadata?.name !== 'deny-api'), 'B');
    const d = diffRuns(a, b, { rules: { ...rules(), newFindingSeverity: 'critical' }, expiredWaivers: [] });
    expect(d.regression).toBe(false);
    expect(d.widened).toHaveLength(1);
  });

  it('names a workload past the bounded listing when the listing proves it new, and counts the others by their hashes', () => {
    // 60 unisolated workloads (more than an extent lists), then one more that sorts first, then one that sorts last.
    const many = [ns('shop'), ...Array.from({ length: 60 }, (_, i) => deploy('shop', `w${String(i).padStart(2, '0')}`))];
    const a = audit(many, 'A');
    expect(a.findings[0]!.extent).toMatchObject({ count: 60, members: expect.any(Array) });
    expect(a.findings[0]!.extent!.members).toHaveLength(EXTENT_LISTED);
    const first = diffRuns(a, audit([...many, deploy('shop', 'a-new')], 'B'), { rules: rules(), expiredWaivers: [] });
    expect(first.regressionReasons).toEqual(['network.namespace-default-deny-ingress on Namespace shop widened: now also Deployment shop/a-new (60 → 61 workloads)']);
    const last = diffRuns(a, audit([...many, deploy('shop', 'z-new')], 'C'), { rules: rules(), expiredWaivers: [] });
    expect(last.regressionReasons).toEqual(['network.namespace-default-deny-ingress on Namespace shop widened: now covers 1 other workload (60 → 61 workloads)']);
    expect(last.widened?.[0]).toMatchObject({ added: [], others: 1 });
  });

  it('calls one workload isolated and another exposed past the bounded listing (same count, other members) a widening', () => {
    const many = [ns('shop'), ...Array.from({ length: 60 }, (_, i) => deploy('shop', `w${String(i).padStart(2, '0')}`))];
    const swapped = [...many.filter((o) => o.metadata?.name !== 'w59'), deploy('shop', 'z-new')];
    const d = diffRuns(audit(many, 'A'), audit(swapped, 'B'), { rules: rules(), expiredWaivers: [] });
    expect(d.regressionReasons).toEqual(['network.namespace-default-deny-ingress on Namespace shop widened: now covers 1 other workload (60 → 60 workloads)']);
    expect(diffRuns(audit(many, 'A'), audit(many, 'C'), { rules: rules(), expiredWaivers: [] }).regression).toBe(false);
  });

  it('sees a workload exposed past the listing while two others were isolated (25 → 24 workloads): a StatefulSet sorts after the Deployments listed', () => {
    const sts = (name: string): KubeObject => ({ ...deploy('shop', name), kind: 'StatefulSet' });
    const many = [ns('shop'), ...Array.from({ length: 25 }, (_, i) => deploy('shop', `w${String(i).padStart(2, '0')}`))];
    const after = [...many.filter((o) => o.metadata?.name !== 'w23' && o.metadata?.name !== 'w24'), sts('cache'), denyFor('shop', 'nothing')];
    const d = diffRuns(audit(many, 'A'), audit(after, 'B'), { rules: rules(), expiredWaivers: [] });
    expect(d.regressionReasons).toEqual(['network.namespace-default-deny-ingress on Namespace shop widened: now covers 1 other workload (25 → 24 workloads)']);
    expect(d.regression).toBe(true);
    // and a run stored before member hashes (a digest past the listing) still diffs without a claim it cannot prove
    const old = audit(many, 'C');
    for (const f of old.findings) if (f.extent?.hashes) { delete f.extent.hashes; f.extent.digest = '0123456789abcdef'; }
    expect(diffRuns(old, audit(after, 'D'), { rules: rules(), expiredWaivers: [] }).regression).toBe(false);
  });

  it('calls a subject already reading Secrets cluster-wide that gains one more verb a regression', () => {
    const a = audit(secretsReader(['get']), 'A');
    const b = audit(secretsReader(['get', 'list']), 'B');
    const d = diffRuns(a, b, { rules: rules(), expiredWaivers: [] });
    expect(d.new).toEqual([]);
    expect(d.regressionReasons).toEqual(['rbac.secrets-cluster-read on User ops widened: now also list secrets cluster-wide (1 → 2 permissions)']);
  });

  it('a waived finding that widens (a waiver on Namespace shop, one more workload of shop open) is listed with what it now also hides, and is no regression: the waiver covers every workload of shop', () => {
    // README: a new finding under a waiver is listed "since the waiver was written against what existed".
    const waiver: WaiverConfig = { check: 'network.namespace-default-deny-ingress', resource: { kind: 'Namespace', name: 'shop' }, reason: 'legacy <b>app</b>', owner: 'platform@example.com', expires: '2027-03-31' };
    const a = audit(BEFORE, 'A', [waiver]);
    const b = audit(BEFORE.filter((o) => o.metadata?.name !== 'deny-api'), 'B', [waiver]);
    const d = diffRuns(a, b, { rules: rules(), expiredWaivers: [] });
    expect(d.widened).toBeUndefined();
    expect(d.regressionReasons).toEqual([]);
    expect(d.newlyWaived).toEqual([{
      fingerprint: SHOP, check: 'network.namespace-default-deny-ingress', resource: { kind: 'Namespace', name: 'shop' },
      waiver: { check: 'network.namespace-default-deny-ingress', resource: { kind: 'Namespace', name: 'shop' } }, throughRelated: false,
      widened: { unit: 'workloads', before: 1, after: 2, added: ['Deployment shop/api'] },
    }]);
    b.diff = d;
    expect(formatDiff(a, b, d)).toContain('not new, it widened: now also Deployment shop/api (1 → 2 workloads)');
    expect(renderMarkdown(b)).toContain('waiver on Namespace shop names it; not new, it widened: now also Deployment shop/api \\(1 → 2 workloads\\)');
  });

  it('a waived finding that widens under a waiver naming only the role behind it is a regression, as a new finding through related objects is', () => {
    const waiver: WaiverConfig = { check: 'rbac.secrets-cluster-read', resource: { kind: 'ClusterRole', name: 'ops' }, reason: 'ops reads one secret', owner: 'platform@example.com', expires: '2027-03-31' };
    const a = audit(secretsReader(['get']), 'A', [waiver]);
    const d = diffRuns(a, audit(secretsReader(['get', 'list']), 'B', [waiver]), { rules: rules(), expiredWaivers: [] });
    expect(d.newlyWaived).toMatchObject([{ check: 'rbac.secrets-cluster-read', throughRelated: true, widened: { added: ['list secrets cluster-wide'] } }]);
    expect(d.regressionReasons).toEqual(['waiver rbac.secrets-cluster-read ClusterRole ops now also covers more of User ops (high finding widened: now also list secrets cluster-wide (1 → 2 permissions))']);
  });
});
