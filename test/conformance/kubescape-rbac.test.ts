// Agreement with Kubescape's regolibrary RBAC rules (shared/conformance/kubescape-regolibrary):
// each upstream rule is mapped to one of our checks (or to a question to the model), every case
// is run, and the flagged subjects are compared. Where Kubernetes semantics and Kubescape differ,
// the case is listed in DIVERGENCES with the reason; a listed case that starts agreeing fails the
// test, so the list stays true.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseManifestText } from '../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../src/collect/from-objects.ts';
import { defaultConfig } from '../../src/config/types.ts';
import type { Snapshot } from '../../src/snapshot/types.ts';
import { rbacChecks } from '../../checks/rbac/index.ts';
import { buildRbacModel, directGrants, formatSubject } from '../../src/analysis/rbac/index.ts';
import { isSystemSubject } from '../../src/analysis/rbac/audit.ts';
import { ruleGrantsSome } from '../../src/analysis/rbac/rules.ts';
import { conformanceData } from '../helpers/ci.ts';

const ROOT = conformanceData('kubescape-regolibrary');

type Judge = (s: Snapshot) => Set<string>;

const viaCheck = (id: string): Judge => (s) => {
  const check = rbacChecks.find((c) => c.id === id)!;
  const out = new Set<string>();
  for (const v of check.evaluate({ snapshot: s, config: defaultConfig(), now: new Date('2026-11-26T00:00:00Z') })) {
    if (v.status !== 'fail') continue;
    if (id === 'rbac.default-serviceaccount-bound') {
      // Kubescape files this rule under the binding; ours under the service account, naming the binding.
      for (const b of (v.evidence?.bindings as Array<{ kind: string; name: string }>) ?? []) out.add(`${b.kind}:${b.name}`);
    } else out.add(`${v.resource.kind}:${v.resource.namespace ? `${v.resource.namespace}/` : ''}${v.resource.name}`);
  }
  return out;
};

/** Subjects whose own grants give one of the permissions (for rules with no check of their own). */
const viaModel = (wanted: Array<[verb: string, group: string, resource: string]>, kinds?: string[]): Judge => (s) => {
  const m = buildRbacModel(s);
  const out = new Set<string>();
  for (const subject of m.subjects) {
    if (isSystemSubject(subject) || (kinds && !kinds.includes(subject.kind))) continue;
    const grants = directGrants(m, subject).filter((g) => g.binding.origin === 'input');
    const hit = grants.some((g) => g.role.rules.some((r) => wanted.length === 0 ? r.verbs.length > 0 : wanted.some(([v, grp, res]) => ruleGrantsSome(r, v, grp, res))));
    if (hit) out.add(formatSubject(subject));
  }
  return out;
};

const IMPORTANT = [['', 'pods'], ['', 'services'], ['', 'secrets'], ['', 'configmaps'], ['', 'persistentvolumeclaims'], ['apps', 'deployments'], ['apps', 'statefulsets'], ['apps', 'daemonsets']] as const;

/** Upstream rule -> how we judge it. */
const MAPPING: Record<string, { ours: string; judge: Judge }> = {
  'rule-can-bind-escalate': { ours: 'rbac.privilege-escalation', judge: viaCheck('rbac.privilege-escalation') },
  'rule-can-impersonate-users-groups-v1': { ours: 'rbac.privilege-escalation', judge: viaCheck('rbac.privilege-escalation') },
  'rule-can-create-service-account-token': { ours: 'rbac.privilege-escalation', judge: viaCheck('rbac.privilege-escalation') },
  'rule-can-list-get-secrets-v1': { ours: 'rbac.secrets-cluster-read + rbac.secrets-namespace-read', judge: (s) => new Set([...viaCheck('rbac.secrets-cluster-read')(s), ...viaCheck('rbac.secrets-namespace-read')(s)]) },
  'rule-can-portforward-v1': { ours: 'rbac.pod-exec-attach', judge: viaCheck('rbac.pod-exec-attach') },
  'exec-into-container-v1': { ours: 'rbac.pod-exec-attach', judge: viaCheck('rbac.pod-exec-attach') },
  'rule-can-access-proxy-subresource': { ours: 'rbac.nodes-proxy', judge: viaCheck('rbac.nodes-proxy') },
  'cluster-admin-role': { ours: 'rbac.cluster-admin-binding', judge: viaCheck('rbac.cluster-admin-binding') },
  'rule-list-all-cluster-admins-v1': { ours: 'rbac.wildcard-permission', judge: viaCheck('rbac.wildcard-permission') },
  'rule-can-create-pod': { ours: 'rbac.workload-create-kube-system', judge: viaCheck('rbac.workload-create-kube-system') },
  'system-authenticated-allowed-to-take-over-cluster': { ours: 'rbac.anonymous-access', judge: viaCheck('rbac.anonymous-access') },
  'ensure-default-service-accounts-has-only-default-roles': { ours: 'rbac.default-serviceaccount-bound', judge: viaCheck('rbac.default-serviceaccount-bound') },
  'rule-can-delete-k8s-events-v1': { ours: 'model: delete events', judge: viaModel([['delete', '', 'events'], ['delete', 'events.k8s.io', 'events']]) },
  'rule-excessive-delete-rights-v1': { ours: 'model: delete workloads/secrets/services', judge: viaModel(IMPORTANT.map(([g, r]) => ['delete', g, r])) },
  'access-container-service-account-v1': { ours: 'model: ServiceAccount with any grant', judge: viaModel([], ['ServiceAccount']) },
};

/** Upstream RBAC-adjacent rules we do not map, and why. */
const UNMAPPED: Record<string, string> = {
  'workload-with-administrative-roles': 'flags workloads (through their mounted token), not subjects; ztaudit reports the service account itself',
  'workload-with-cluster-takeover-roles': 'flags workloads (through their mounted token), not subjects; ztaudit reports the service account itself',
  'automount-service-account': 'token automounting is a pod setting, outside the rbac area',
  'serviceaccount-token-mount': 'token mounting is a pod setting, outside the rbac area',
};

/** "rule/case" -> why our verdict differs from Kubescape's. */
const DIVERGENCES: Record<string, string> = {
  'rule-can-portforward-v1/clusterrole-clusterrolebinding':
    'the rule grants create on "pods/*"; Kubernetes treats "pods/*" as a literal, not a wildcard (only "*" and "*/portforward" cover pods/portforward), so nothing is granted',
  'exec-into-container-v1/clusterrole':
    'the rule grants create on "pods/*"; Kubernetes treats "pods/*" as a literal, not a wildcard, so pods/exec is not granted',
  'ensure-default-service-accounts-has-only-default-roles/passed_rolebinding_one_subject':
    'Kubescape trusts the kubernetes.io/bootstrapping=rbac-defaults label on any binding; anyone can set a label, and no bootstrap RoleBinding named "pod" in "default" exists, so ztaudit reports it',
  'rule-can-access-proxy-subresource/clusterrole-rolebinding':
    'nodes/proxy is cluster-scoped: a RoleBinding never grants it (requests on nodes carry no namespace), so the subject cannot reach the kubelet',
  'rule-can-access-proxy-subresource/role-rolebinding':
    'nodes/proxy is cluster-scoped: a Role bound by a RoleBinding never grants it, so the subject cannot reach the kubelet',
  'system-authenticated-allowed-to-take-over-cluster/success':
    'Kubescape only flags takeover-level grants; ztaudit reports (at medium severity) any custom grant to every authenticated identity beyond discovery, here cluster-wide get/list/watch on configmaps',
};

interface Finding { alertObject?: { externalObjects?: { kind: string; name: string; namespace?: string }; k8sApiObjects?: Array<{ kind: string; metadata?: { name?: string } }> } }

function expectedKeys(rule: string, findings: Finding[]): Set<string> {
  const out = new Set<string>();
  for (const f of findings) {
    const ext = f.alertObject?.externalObjects;
    if (ext) out.add(`${ext.kind}:${ext.namespace ? `${ext.namespace}/` : ''}${ext.name}`);
    else for (const o of f.alertObject?.k8sApiObjects ?? []) out.add(`${o.kind}:${o.metadata?.name ?? ''}`);
  }
  return out;
}

function loadCase(dir: string): Snapshot {
  const objects = [];
  for (const f of readdirSync(join(dir, 'input')).sort()) objects.push(...parseManifestText(readFileSync(join(dir, 'input', f), 'utf8'), f).objects);
  return snapshotFromObjects(objects);
}

const index = ROOT ? (JSON.parse(readFileSync(join(ROOT, 'index.json'), 'utf8')) as { rules: Array<{ rule: string; category: string; cases: Array<{ case: string }> }> }) : { rules: [] };
const rbacRules = index.rules.filter((r) => r.category === 'rbac' || r.category === 'rbac-workload' || r.category === 'service-account');

const tally = { cases: 0, agree: 0, diverge: 0 };
const perRule: Record<string, { cases: number; agree: number }> = {};

describe.skipIf(!ROOT)('Kubescape regolibrary RBAC rules', () => {
  it('every upstream RBAC rule is mapped or has a written reason not to be', () => {
    const missing = rbacRules.map((r) => r.rule).filter((r) => !MAPPING[r] && !UNMAPPED[r]);
    expect(missing).toEqual([]);
  });

  const cases = rbacRules.filter((r) => MAPPING[r.rule]).flatMap((r) => r.cases.map((c) => ({ rule: r.rule, name: c.case })));
  it.each(cases.map((c) => [`${c.rule}/${c.name} -> ${MAPPING[c.rule].ours}`, c] as const))('%s', (_n, { rule, name }) => {
    const dir = join(ROOT!, 'rules', rule, 'test', name);
    const expected = expectedKeys(rule, JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Finding[]);
    const ours = MAPPING[rule].judge(loadCase(dir));
    const same = [...expected].sort().join(',') === [...ours].sort().join(',');
    const key = `${rule}/${name}`;
    tally.cases++;
    (perRule[rule] ??= { cases: 0, agree: 0 }).cases++;
    if (same) { tally.agree++; perRule[rule].agree++; } else tally.diverge++;
    if (DIVERGENCES[key]) {
      expect(same, `${key} is listed as divergent but now agrees: remove it from DIVERGENCES`).toBe(false);
    } else {
      expect([...ours].sort(), `${key}: ours vs Kubescape`).toEqual([...expected].sort());
    }
  });

  afterAll(() => {
    if (tally.cases === 0) return;
    const lines = Object.entries(perRule).map(([r, t]) => `  ${r.padEnd(58)} ${t.agree}/${t.cases}  (${MAPPING[r].ours})`);
    console.log(`Kubescape RBAC agreement: ${tally.agree}/${tally.cases} cases agree (${Math.round((100 * tally.agree) / tally.cases)}%), ${tally.diverge} documented divergences\n${lines.join('\n')}`);
  });
});
