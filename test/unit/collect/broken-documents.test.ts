// A `--manifests` document that does not parse hides what is in it: the kinds it holds count as
// not read (their checks not evaluated, never passed), and one whose kind cannot be told at all
// may have been any object, so no kind counts as read. The shapes are what users hand in:
// `kubectl get clusterrolebindings -o yaml` prints a `kind: List` whose items carry their own
// `kind:` lines, indented (kubectl.docs.kubernetes.io/references/kubectl/get/raw, "YAML": `kubectl get
// deployments -o yaml` → `apiVersion: v1`, `items:`, `- apiVersion: …  kind: Deployment`), and
// `-o json` the same as JSON; cut off or hand-edited, one unclosed bracket breaks the whole
// document. A binding of cluster-admin to a user is the critical finding that must not pass
// unseen (kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles: cluster-admin
// "Allows super-user access to perform any action on any resource").
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { captureIO } from '../../helpers/cli.ts';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'ztaudit-broken-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const NAMESPACE = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: app, labels: {pod-security.kubernetes.io/enforce: restricted}}\n';

/** The List as `kubectl get clusterrolebindings -o yaml` prints it (trimmed): one binding of cluster-admin to a user. */
const LIST = [
  'apiVersion: v1',
  'kind: List',
  'items:',
  '- apiVersion: rbac.authorization.k8s.io/v1',
  '  kind: ClusterRoleBinding',
  '  metadata:',
  '    name: contractor-admin',
  '    annotations: {note: "granted [temporarily"}',
  '  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}',
  '  subjects:',
  '  - {kind: User, name: eve, apiGroup: rbac.authorization.k8s.io}',
  '',
].join('\n');
/** The same List with its last flow map left unclosed. */
const CUT_LIST = LIST.replace('rbac.authorization.k8s.io}\n', 'rbac.authorization.k8s.io\n');

/** The same binding as JSON with its `kind` written last, the object never closed. */
const CUT_JSON = '{"apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "contractor-admin"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"}, "subjects": [{"kind": "User", "name": "eve", "apiGroup": "rbac.authorization.k8s.io"}], "kind": "ClusterRoleBinding",\n';

/** `ztaudit run --manifests m --fail-on critical` over these files, as a user runs it. */
async function runOn(files: Record<string, string>) {
  mkdirSync(join(dir, 'm'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'm', name), text);
  const io = captureIO(dir);
  const code = await main(['run', '--manifests', 'm', '--history', 'none', '--no-notify', '--out', 'out', '--format', 'json', '--fail-on', 'critical'], io.cli);
  const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')) as RunReport;
  return { code, report, errLines: io.errLines() };
}

const statusOf = (report: RunReport, id: string) => report.checks.find((c) => c.id === id)?.status;

describe('a well-formed kind: List', () => {
  it('is audited item by item: the cluster-admin binding is 1 of 2 critical findings and --fail-on critical exits 1', async () => {
    const { code, report, errLines } = await runOn({ 'app.yaml': NAMESPACE, 'crbs.yaml': LIST });
    expect(code).toBe(1);
    expect(report.findings.filter((f) => f.severity === 'critical').map((f) => f.check).sort()).toEqual(['rbac.cluster-admin-binding', 'rbac.csr-approval']);
    expect(report.run.partial).toBeUndefined();
    expect(errLines.at(-1)).toBe('ztaudit: exit 1: 2 critical findings (--fail-on critical)');
  });
});

describe('a broken document whose kind can be told', () => {
  it('a cut-off List: its items\' kinds (indented) count as not read, cluster-admin-binding is not evaluated, no RBAC grade, exit 1 naming the file and line', async () => {
    const { code, report, errLines } = await runOn({ 'app.yaml': NAMESPACE, 'crbs.yaml': CUT_LIST });
    expect(code).toBe(1);
    expect(report.run.coverage.clusterrolebindings).toEqual({ status: 'error', detail: expect.stringMatching(/^m\/crbs\.yaml:1: broken YAML document: /) });
    expect(report.checks.find((c) => c.id === 'rbac.cluster-admin-binding')).toMatchObject({ status: 'not-evaluated', unreadable: expect.arrayContaining(['clusterrolebindings']) });
    expect(report.score.areas.rbac).toBeNull();
    // The rest was read and judged: the namespace's checks were evaluated.
    expect(statusOf(report, 'pod-security.enforce-missing')).toBe('pass');
    expect(errLines.at(-1)).toMatch(/^ztaudit: exit 1: \d+ checks not evaluated \(.*clusterrolebindings error.*\) \(--fail-on critical/);
    expect(report.run.partial).toEqual(expect.arrayContaining([expect.stringMatching(/^clusterrolebindings could not be read \(error: m\/crbs\.yaml:1: /)]));
  });

  it('cut-off JSON with its "kind" written last: the kind is still read', async () => {
    const { code, report, errLines } = await runOn({ 'app.yaml': NAMESPACE, 'crb.json': CUT_JSON });
    expect(code).toBe(1);
    expect(report.run.coverage.clusterrolebindings).toEqual({ status: 'error', detail: expect.stringMatching(/^m\/crb\.json:1: broken YAML document: /) });
    expect(statusOf(report, 'rbac.cluster-admin-binding')).toBe('not-evaluated');
    expect(statusOf(report, 'pod-security.enforce-missing')).toBe('pass');
    expect(errLines.at(-1)).toMatch(/^ztaudit: exit 1: \d+ checks not evaluated \(.*clusterrolebindings error/);
  });

  it('of a kind ztaudit does not audit: skipped with a note, as it would be read, and nothing else is blinded', async () => {
    const kustomization = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [app.yaml\n';
    const { code, report, errLines } = await runOn({ 'app.yaml': NAMESPACE, 'crbs.yaml': LIST, 'kustomization.yaml': kustomization });
    expect(code).toBe(1);
    expect(statusOf(report, 'rbac.cluster-admin-binding')).toBe('fail');
    expect(report.run.partial).toBeUndefined();
    expect(errLines.at(-1)).toBe('ztaudit: exit 1: 2 critical findings (--fail-on critical)');
  });
});

// Two files run together without the `---` between them (`cat sa.yaml crb.yaml > all.yaml`): the
// parser refuses the document ("Map keys must be unique"), but the API server reads duplicate keys
// with the last value winning (kubernetes/kubernetes#14791, #89303), so `kubectl apply` creates the
// second object: the binding of cluster-admin. Both objects' kinds count as not read.
const BINDING = [
  'apiVersion: rbac.authorization.k8s.io/v1',
  'kind: ClusterRoleBinding',
  'metadata: {name: deployer-admin}',
  'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}',
  'subjects: [{kind: User, name: eve, apiGroup: rbac.authorization.k8s.io}]',
  '',
].join('\n');

describe('a broken document holding two objects run together', () => {
  it('a ServiceAccount then a cluster-admin ClusterRoleBinding: clusterrolebindings count as not read, cluster-admin-binding is not evaluated, exit 1', async () => {
    const sa = 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: deployer, namespace: app}\n';
    const { code, report, errLines } = await runOn({ 'app.yaml': NAMESPACE, 'all.yaml': sa + BINDING });
    expect(code).toBe(1);
    expect(report.run.coverage.serviceaccounts).toMatchObject({ status: 'error' });
    expect(report.run.coverage.clusterrolebindings).toEqual({ status: 'error', detail: expect.stringMatching(/^m\/all\.yaml:1: broken YAML document: Map keys must be unique/) });
    expect(report.checks.find((c) => c.id === 'rbac.cluster-admin-binding')).toMatchObject({ status: 'not-evaluated', unreadable: expect.arrayContaining(['clusterrolebindings']) });
    expect(errLines.at(-1)).toMatch(/^ztaudit: exit 1: \d+ checks not evaluated \(.*clusterrolebindings error.*\) \(--fail-on critical/);
  });

  it('a Kustomization (not audited) then the binding: the binding\'s kind still counts as not read', async () => {
    const kustomization = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [app.yaml]\n';
    const { code, report } = await runOn({ 'app.yaml': NAMESPACE, 'all.yaml': kustomization + BINDING });
    expect(code).toBe(1);
    expect(report.run.coverage.clusterrolebindings).toMatchObject({ status: 'error' });
    expect(statusOf(report, 'rbac.cluster-admin-binding')).toBe('not-evaluated');
  });
});

describe('a broken document whose kind cannot be told', () => {
  // Each may hold any object: a cluster-admin binding among them must not pass unseen.
  const untold: Record<string, [string, string]> = {
    'JSON cut off before its "kind"': ['crb.json', CUT_JSON.replace(', "kind": "ClusterRoleBinding",', ',')],
    'a List whose last item is cut off before its kind': ['crbs.yaml', `${LIST}- apiVersion: rbac.authorization.k8s.io/v1\n  metadata: {name: second-admin\n`],
    'a `kind:` that is not a name': ['junk.yaml', 'kind: [\n'],
  };
  for (const [what, [file, text]] of Object.entries(untold)) {
    it(`${what}: no kind counts as read, no check is evaluated, no area graded, and --fail-on critical exits 1 naming ${file}:1`, async () => {
      const { code, report, errLines } = await runOn({ 'app.yaml': NAMESPACE, [file]: text });
      expect(code).toBe(1);
      expect(report.run.coverage.clusterrolebindings).toEqual({ status: 'error', detail: expect.stringMatching(new RegExp(`^m/${file.replace('.', '\\.')}:1: .*its kind could not be told`)) });
      expect(report.run.coverage.namespaces?.status).toBe('error');
      expect(report.checks.filter((c) => c.status === 'pass' || c.status === 'fail')).toEqual([]);
      expect(statusOf(report, 'rbac.cluster-admin-binding')).toBe('not-evaluated');
      expect(report.score.overall).toBeNull();
      expect(Object.values(report.score.areas)).toEqual([null, null, null, null, null]);
      expect(errLines.at(-1)).toMatch(new RegExp(`^ztaudit: exit 1: \\d+ checks not evaluated \\(every kind error: m/${file.replace('.', '\\.')}:1: .*\\) \\(--fail-on critical: a check that could not run cannot pass the gate\\)$`));
    });
  }
});
