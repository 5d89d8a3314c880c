// An RBAC finding widens when the subject can do more, not when its roles are written otherwise.
// Its extent counts permissions (one per verb, the groups and resources sorted), so re-ordered
// verbs are the same and fewer verbs are fewer; and coverage as /work/shared/reference/checks.md
// "RBAC" states it (https://kubernetes.io/docs/reference/access-authn-authz/rbac/): "Rules from
// every matching ClusterRoleBinding apply everywhere", a RoleBinding only in its namespace, so a
// ClusterRoleBinding narrowed to a RoleBinding covers less; "resourceNames: empty → any name;
// otherwise the request name must be listed", so a rule losing its resourceNames covers more.
// Run with the real checks over manifests.
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import type { RunReport } from '../../../src/run/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';

const RBAC = 'rbac.authorization.k8s.io';
const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const sa = (namespace: string, name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
const BASE = [ns('ci'), ns('kube-system'), sa('ci', 'deployer'), sa('kube-system', 'metrics-reader')];
const DEPLOYER = [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'ci' }];

/** ClusterRole ci-deployer with a wildcard rule of `verbs`, bound cluster-wide to ci/deployer. */
const wildcard = (verbs: string[]): KubeObject[] => [...BASE,
  { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name: 'ci-deployer' }, rules: [{ apiGroups: ['apps'], resources: ['*'], verbs }] },
  { apiVersion: `${RBAC}/v1`, kind: 'ClusterRoleBinding', metadata: { name: 'ci-deployer' }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'ci-deployer' }, subjects: DEPLOYER },
];
/** ci/deployer may mint tokens (serviceaccounts/token), only of `names` when given, bound as `binding`. */
const minter = (binding: 'ClusterRoleBinding' | 'RoleBinding', names?: string[]): KubeObject[] => [...BASE,
  { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name: 'token-minter' }, rules: [{ apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'], ...(names ? { resourceNames: names } : {}) }] },
  { apiVersion: `${RBAC}/v1`, kind: binding, metadata: { name: 'token-minter', ...(binding === 'RoleBinding' ? { namespace: 'kube-system' } : {}) }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'token-minter' }, subjects: DEPLOYER },
];

function audit(objects: KubeObject[], runId: string): RunReport {
  const now = new Date('2026-12-05T02:00:00Z');
  return auditSnapshot({ snapshot: snapshotFromObjects(structuredClone(objects), { clusterName: 'demo' }), config: defaultConfig(), checks: CHECKS, now, startedAt: now, runId }).report;
}
const diff = (a: KubeObject[], b: KubeObject[]) => diffRuns(audit(a, 'A'), audit(b, 'B'), { rules: defaultConfig().regression, expiredWaivers: [] });
const deployerWidened = (a: KubeObject[], b: KubeObject[]) => (diff(a, b).widened ?? []).filter((w) => w.resource.name === 'deployer').map((w) => `${w.check}: ${w.added.join(', ')}`);

/** ClusterRole ci-deployer with `rules`, bound cluster-wide to ci/deployer. */
const rules = (list: object[]): KubeObject[] => [...BASE,
  { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name: 'ci-deployer' }, rules: list },
  { apiVersion: `${RBAC}/v1`, kind: 'ClusterRoleBinding', metadata: { name: 'ci-deployer' }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'ci-deployer' }, subjects: DEPLOYER },
];

describe('an RBAC finding widens when the subject can do more, not when its roles are rewritten', () => {
  // "*" in verbs, resources or apiGroups matches every value (rbac/#referring-to-resources;
  // upstream VerbMatches/ResourceMatches/APIGroupMatches): a rule narrowed from "*" covers less.
  it('a wildcard narrowed to some verbs, resources or groups is no widening; widened back to "*" is', () => {
    const all = rules([{ apiGroups: [''], resources: ['*'], verbs: ['*'] }]);
    for (const narrower of [
      rules([{ apiGroups: [''], resources: ['*'], verbs: ['get', 'list', 'watch'] }]),
      rules([{ apiGroups: [''], resources: ['pods'], verbs: ['*'] }]),
    ]) {
      const d = diff(all, narrower);
      expect(d.widened).toBeUndefined();
      expect(d.regressionReasons.filter((r) => r.includes('widened'))).toEqual([]);
    }
    expect(diff(rules([{ apiGroups: ['*'], resources: ['*'], verbs: ['get'] }]), rules([{ apiGroups: ['apps'], resources: ['*'], verbs: ['get'] }])).widened).toBeUndefined();
    expect(deployerWidened(rules([{ apiGroups: [''], resources: ['*'], verbs: ['get'] }]), all)).toContain('rbac.wildcard-permission: * * (core) cluster-wide');
  });

  // "Permissions are purely additive" (rbac/#role-and-clusterrole): the same access split among
  // rules, or merged into one, is the same members.
  it('one rule split into two, or two merged into one, granting the same is no widening', () => {
    const one = rules([{ apiGroups: [''], resources: ['configmaps', 'services'], verbs: ['*'] }]);
    const two = rules([{ apiGroups: [''], resources: ['configmaps'], verbs: ['*'] }, { apiGroups: [''], resources: ['services'], verbs: ['*'] }]);
    expect(diff(one, two).widened).toBeUndefined();
    expect(diff(two, one).widened).toBeUndefined();
    expect(diff(one, two).regression).toBe(false);
  });

  it('the same verbs in another order, or fewer verbs, is no widening; one more verb is', () => {
    expect(audit(wildcard(['get', 'list', 'watch']), 'A').findings.find((f) => f.check === 'rbac.wildcard-permission')?.extent?.members)
      .toEqual(['get * (apps) cluster-wide', 'list * (apps) cluster-wide', 'watch * (apps) cluster-wide']);
    const reordered = diff(wildcard(['get', 'list', 'watch']), wildcard(['list', 'watch', 'get']));
    expect(reordered.widened).toBeUndefined();
    expect(reordered.regression).toBe(false);
    expect(diff(wildcard(['get', 'list', 'watch']), wildcard(['get'])).widened).toBeUndefined();
    expect(deployerWidened(wildcard(['get']), wildcard(['get', 'delete']))).toEqual(['rbac.wildcard-permission: delete * (apps) cluster-wide']);
  });

  it('a ClusterRoleBinding narrowed to a RoleBinding in kube-system is no widening; the other way round is', () => {
    const narrowed = diff(minter('ClusterRoleBinding'), minter('RoleBinding'));
    expect(narrowed.widened).toBeUndefined();
    expect(narrowed.regression).toBe(false);
    expect(deployerWidened(minter('RoleBinding'), minter('ClusterRoleBinding'))).toEqual(['rbac.privilege-escalation: create serviceaccounts/token cluster-wide']);
  });

  it('token minting widened from one named account to every account of kube-system is a regression; restricted to a name again is not', () => {
    expect(audit(minter('RoleBinding', ['metrics-reader']), 'A').findings.find((f) => f.check === 'rbac.privilege-escalation' && f.resource.name === 'deployer')?.extent?.members)
      .toEqual(['create serviceaccounts/token in kube-system name=metrics-reader']);
    const widened = diff(minter('RoleBinding', ['metrics-reader']), minter('RoleBinding'));
    expect(widened.regressionReasons).toContain('rbac.privilege-escalation on ServiceAccount ci/deployer widened: now also create serviceaccounts/token in kube-system (1 → 1 permissions)');
    expect(widened.regression).toBe(true);
    expect(diff(minter('RoleBinding'), minter('RoleBinding', ['metrics-reader'])).widened).toBeUndefined();
    expect(diff(minter('ClusterRoleBinding'), minter('RoleBinding', ['metrics-reader'])).widened).toBeUndefined();
    expect(deployerWidened(minter('RoleBinding', ['metrics-reader']), minter('RoleBinding', ['metrics-reader', 'deployer']))).toEqual(['rbac.privilege-escalation: create serviceaccounts/token in kube-system name=deployer']);
  });

  it('past the 20 listed permissions too: 24 wildcard permissions narrowed from a ClusterRoleBinding to a RoleBinding in kube-system (high either way) is no widening', () => {
    const verbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
    const many = (binding: 'ClusterRoleBinding' | 'RoleBinding'): KubeObject[] => [...BASE,
      { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name: 'ci-deployer' }, rules: ['apps', 'batch', 'policy'].map((g) => ({ apiGroups: [g], resources: ['*'], verbs })) },
      { apiVersion: `${RBAC}/v1`, kind: binding, metadata: { name: 'ci-deployer', ...(binding === 'RoleBinding' ? { namespace: 'kube-system' } : {}) }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'ci-deployer' }, subjects: DEPLOYER },
    ];
    expect(audit(many('RoleBinding'), 'A').findings.find((f) => f.check === 'rbac.wildcard-permission')?.extent).toMatchObject({ count: 24, hashes: expect.any(Array) });
    const narrowed = diff(many('ClusterRoleBinding'), many('RoleBinding'));
    expect(narrowed.persisting).toBeGreaterThan(0);
    expect(narrowed.widened).toBeUndefined();
    expect(deployerWidened(many('RoleBinding'), many('ClusterRoleBinding'))).toContain('rbac.wildcard-permission: create * (apps) cluster-wide, create * (batch) cluster-wide, create * (policy) cluster-wide, delete * (apps) cluster-wide, delete * (batch) cluster-wide');
  });
});
