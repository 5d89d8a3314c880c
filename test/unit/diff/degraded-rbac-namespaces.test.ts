// Every RBAC check read the Namespaces best-effort (the RBAC model listed them), so a run that
// could not list Namespaces marked every rbac check degraded, and none of its findings could be
// the baseline of the next run's escalations: a rbac regression at that transition went unjudged.
// Most RBAC checks are decided by the roles and bindings alone; only those that ask which
// service accounts and namespaces exist (powerfulServiceAccounts and the cluster-admin paths:
// a namespace a live cluster does not hold has no account to act as) or what Pod Security level
// a namespace enforces (ephemeral containers) can change verdict without them. A 403 on a list
// is the authorizer refusing it (https://kubernetes.io/docs/reference/access-authn-authz/authorization/).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import type { RunReport } from '../../../src/run/types.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';

const ROOT = join(import.meta.dirname, '../../..');
const NOW = new Date('2026-11-26T00:00:00Z');

function demo() {
  const { config } = loadConfig(join(ROOT, 'examples/ztaudit.demo.yaml'), ROOT, new Set(CHECKS.map((c) => c.id)));
  const snapshot = loadManifests([join(ROOT, 'examples/demo-cluster')], { clusterName: 'demo', clusterVersion: 'v1.36.3' });
  return { snapshot, config };
}

function forbidNamespaces(snapshot: Snapshot): Snapshot {
  const s = structuredClone(snapshot);
  s.coverage.namespaces = { status: 'forbidden', detail: 'list namespaces (refused in test)' };
  delete s.resources.namespaces;
  return s;
}

const audit = (snapshot: Snapshot, config: ReturnType<typeof demo>['config']): RunReport =>
  auditSnapshot({ snapshot, config, checks: CHECKS, now: NOW, startedAt: NOW, runId: 'r' }).report;
const findingsOf = (r: RunReport, check: string) => r.findings.filter((f) => f.check === check).map((f) => `${f.fingerprint} ${f.severity} ${f.message}`).sort();

/** Whose verdict can change without the Namespaces: they stay degraded. */
const NEEDS_NAMESPACES = ['rbac.cluster-admin-binding', 'rbac.privilege-escalation', 'rbac.pod-exec-attach', 'rbac.workload-create-kube-system'];

describe('rbac checks with the Namespaces unreadable', () => {
  it('only those whose verdict can change are degraded; the others judge exactly as with them', () => {
    const { snapshot, config } = demo();
    const full = audit(structuredClone(snapshot), config);
    const partial = audit(forbidNamespaces(snapshot), config);
    const rbac = partial.checks.filter((c) => c.area === 'rbac' && c.status !== 'not-applicable');
    const degraded = rbac.filter((c) => c.degraded?.includes('namespaces')).map((c) => c.id).sort();
    expect(degraded).toEqual([...NEEDS_NAMESPACES].sort());
    const judged = rbac.filter((c) => !c.degraded && (c.status === 'pass' || c.status === 'fail'));
    // rbac.default-serviceaccount-bound needs the Namespaces outright (not evaluated without them).
    expect(rbac.find((c) => c.id === 'rbac.default-serviceaccount-bound')?.status).toBe('not-evaluated');
    expect(judged.map((c) => c.id)).toEqual(expect.arrayContaining(['rbac.wildcard-permission', 'rbac.secrets-cluster-read', 'rbac.secrets-namespace-read', 'rbac.anonymous-access', 'rbac.dangling-binding', 'rbac.namespace-modification']));
    expect(judged.some((c) => c.failed > 0)).toBe(true);
    for (const c of judged) expect(findingsOf(partial, c.id), c.id).toEqual(findingsOf(full, c.id));
  });
});
