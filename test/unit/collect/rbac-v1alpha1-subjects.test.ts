// rbac.authorization.k8s.io/v1alpha1 bindings name their subjects' `apiVersion`, not an
// `apiGroup`; the API server defaults and converts them to v1's subjects (kubernetes
// pkg/apis/rbac/v1alpha1/defaults.go SetDefaults_Subject as at commit 04791b49, and conversion.go
// Convert_v1alpha1_Subject_To_rbac_Subject as at commit 0c178740: ServiceAccount → apiGroup "", User and Group →
// rbac.authorization.k8s.io, any other kind → the group of its apiVersion; the v1alpha1 User "*"
// → the Group system:authenticated, "User * in v1alpha1 will only match all authenticated users").
// A manifest of one is audited as its v1 counterpart.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { main } from '../../../src/cli/main.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { captureIO } from '../../helpers/cli.ts';

const binding = (apiVersion: string, subjects: string) => `apiVersion: ${apiVersion}\nkind: ClusterRoleBinding\nmetadata: {name: ops-admin}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects:\n${subjects}`;
const V1ALPHA1 = binding('rbac.authorization.k8s.io/v1alpha1', [
  '- {kind: Group, name: ops, apiVersion: rbac.authorization.k8s.io/v1alpha1}',
  '- {kind: User, name: "*", apiVersion: rbac.authorization.k8s.io/v1alpha1}',
  '- {kind: ServiceAccount, name: deployer, namespace: ci}',
].join('\n') + '\n');
const V1 = binding('rbac.authorization.k8s.io/v1', [
  '- {kind: Group, name: ops, apiGroup: rbac.authorization.k8s.io}',
  '- {kind: Group, name: "system:authenticated", apiGroup: rbac.authorization.k8s.io}',
  '- {kind: ServiceAccount, name: deployer, namespace: ci, apiGroup: ""}',
].join('\n') + '\n');

async function findingsOf(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'zt-rbac-alpha-'));
  mkdirSync(join(dir, 'm'));
  writeFileSync(join(dir, 'm', 'crb.yaml'), text);
  const io = captureIO(dir);
  expect(await main(['run', '--manifests', 'm', '--cluster', 'same', '--history', 'none', '--no-notify', '-q', '--out', 'out'], io.cli)).toBe(0);
  const report = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')) as RunReport;
  return report.findings.map((f) => ({ check: f.check, severity: f.severity, resource: f.resource, message: f.message }));
}

describe('a rbac.authorization.k8s.io/v1alpha1 ClusterRoleBinding', () => {
  it('is read with the subjects the API server converts it to', () => {
    const [alpha] = parseManifestText(V1ALPHA1, 'a.yaml').objects;
    const [v1] = parseManifestText(V1, 'b.yaml').objects;
    expect(alpha).toEqual(v1);
  });

  it('binding cluster-admin to a Group (and to the User "*") gives the findings of the v1 binding', async () => {
    const alpha = await findingsOf(V1ALPHA1);
    expect(alpha.filter((f) => f.check === 'rbac.cluster-admin-binding').map((f) => `${f.resource.kind} ${f.resource.name}`).sort())
      .toEqual(['Group ops', 'Group system:authenticated', 'ServiceAccount deployer']);
    expect(alpha).toEqual(await findingsOf(V1));
  });

  it('a subject of another kind takes the group of its apiVersion; an apiGroup written in v1alpha1 is not its field', () => {
    const text = binding('rbac.authorization.k8s.io/v1alpha1', '- {kind: Robot, name: r2, apiVersion: robots.example.com/v1}\n- {kind: User, name: alice, apiGroup: example.com}\n');
    const [o] = parseManifestText(text, 'c.yaml').objects;
    expect(o.subjects).toEqual([{ kind: 'Robot', name: 'r2', apiGroup: 'robots.example.com' }, { kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' }]);
  });
});
