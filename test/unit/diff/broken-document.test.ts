// Missing data is not a fix (DESIGN.md, Non-negotiables): the same cluster audited twice from
// `--manifests`, first with a well-formed `kubectl get clusterrolebindings -o yaml` List holding
// a binding of cluster-admin to a user (kubernetes.io/docs/reference/access-authn-authz/rbac/
// #user-facing-roles: "super-user access"), then with that List cut off (one flow map left
// unclosed, so the YAML does not parse). The second run read no binding: the binding's findings
// are carried as not judged, never "resolved", and --fail-on regression exits 1.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { captureIO } from '../../helpers/cli.ts';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'ztaudit-broken-diff-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const NAMESPACE = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: app, labels: {pod-security.kubernetes.io/enforce: restricted}}\n';
const LIST = [
  'apiVersion: v1',
  'kind: List',
  'items:',
  '- apiVersion: rbac.authorization.k8s.io/v1',
  '  kind: ClusterRoleBinding',
  '  metadata: {name: contractor-admin}',
  '  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}',
  '  subjects:',
  '  - {kind: User, name: eve, apiGroup: rbac.authorization.k8s.io}',
  '',
].join('\n');
const CUT_LIST = LIST.replace('rbac.authorization.k8s.io}\n', 'rbac.authorization.k8s.io\n');

/** `ztaudit run --manifests NAME --cluster prod` with a SQLite history in the test's directory. */
async function run(name: string, list: string, ...flags: string[]) {
  mkdirSync(join(dir, name));
  writeFileSync(join(dir, name, 'app.yaml'), NAMESPACE);
  writeFileSync(join(dir, name, 'crbs.yaml'), list);
  const io = captureIO(dir);
  const code = await main(['run', '--manifests', name, '--cluster', 'prod', '--history', 'history.db', '--no-notify', '--out', `out-${name}`, '--format', 'json', ...flags], io.cli);
  const report = JSON.parse(readFileSync(join(dir, `out-${name}`, 'report.json'), 'utf8')) as RunReport;
  return { code, report, out: io.out(), errLines: io.errLines() };
}

describe('a run whose ClusterRoleBinding List is cut off, after one that read it', () => {
  it('resolves none of the binding\'s findings, carries them as not judged, and --fail-on regression exits 1', async () => {
    const before = await run('good', LIST);
    expect(before.code).toBe(0);
    const critical = before.report.findings.filter((f) => f.severity === 'critical');
    expect(critical.map((f) => `${f.check} ${f.resource.kind} ${f.resource.name}`).sort()).toEqual(['rbac.cluster-admin-binding User eve', 'rbac.csr-approval User eve']);

    const after = await run('cut', CUT_LIST, '--fail-on', 'regression');
    expect(after.code).toBe(1);
    expect(after.report.diff?.previousRunId).toBe(before.report.run.id);
    expect(after.report.diff?.resolved).toEqual([]);
    expect(after.report.diff?.notComparable).toContain('rbac.cluster-admin-binding');
    // Carried from the run that read the binding: its critical finding still counts.
    expect(after.report.run.lastEvaluatedOpen).toContainEqual({ check: 'rbac.cluster-admin-binding', runId: before.report.run.id, open: { critical: 1, high: 0, medium: 0, low: 0 } });
    expect(after.out).toMatch(new RegExp(`^open findings 2 \\(\\+\\d+ in \\d+ checks not evaluated, as of run ${before.report.run.id}\\)`, 'm'));
    expect(after.out).toMatch(/: 0 new, 0 resolved — REGRESSION/);
    expect(after.errLines.at(-1)).toMatch(/^ztaudit: exit 1: a regression since run .*coverage lost: .*rbac\.cluster-admin-binding.*cut\/crbs\.yaml:1: broken YAML document/);

    // `ztaudit diff --last` says the same.
    const io = captureIO(dir);
    expect(await main(['diff', '--last', '--history', 'history.db'], io.cli)).toBe(0);
    expect(io.out()).toMatch(/^resolved findings: 0$/m);
    expect(io.out()).toMatch(/^partial comparison: \d+ check\(s\) evaluated in only one run \(their findings are neither new nor resolved\): .*rbac\.cluster-admin-binding/m);
  });
});
