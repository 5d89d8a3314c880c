import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadManifests, parseManifestText } from '../../../src/collect/manifests.ts';
import { readSnapshot, writeSnapshot } from '../../../src/snapshot/io.ts';
import { InputError } from '../../../src/base/errors.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { runDetails, runNotes } from '../../../src/analysis/details.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { CHECKS } from '../../../checks/index.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { main } from '../../../src/cli/main.ts';
import { captureIO } from '../../helpers/cli.ts';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'zt-man-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const ns = (name: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;

describe('manifest loading', () => {
  it('reads multi-document YAML and JSON below the directory, recursively', () => {
    const dir = dirWith({
      'a.yaml': `${ns('a')}---\n${ns('b')}`,
      'sub/c.json': JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'a' }, spec: { containers: [] } }),
      'README.md': '# not a manifest',
    });
    const s = loadManifests([dir]);
    expect(s.resources.namespaces?.map((n) => n.metadata?.name).sort()).toEqual(['a', 'b']);
    expect(s.resources.pods?.map((p) => p.metadata?.name)).toEqual(['p']);
    expect(s.source).toBe('manifests');
  });

  it('names the file and line of a broken document and still loads the others', () => {
    const dir = dirWith({ 'broken.yaml': `${ns('ok1')}---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: [unclosed\n---\n${ns('ok2')}` });
    const s = loadManifests([dir]);
    expect(s.resources.namespaces?.map((n) => n.metadata?.name).sort()).toEqual(['ok1', 'ok2']);
    const note = s.notes.find((n) => n.includes('broken YAML document'));
    expect(note).toMatch(/broken\.yaml:6: skipped a broken YAML document: .*at line 10, column 1/);
  });

  it('gives an object the same line in a CRLF file as in an LF one (SARIF startLine, notes)', () => {
    // YAML 1.2.2 §5.4: a line break is CR LF, CR or LF (yaml.org/spec/1.2.2/#54-line-break-characters);
    // files saved on Windows end lines with CR LF, and `---\r` is still a document marker.
    const lf = [
      '# header comment', '---', 'apiVersion: v1', 'kind: Namespace', 'metadata:', '  name: crlf-a',
      '--- # second', '', 'apiVersion: v1', 'kind: Namespace', 'metadata:', '  name: crlf-b',
      '---', 'kind: [broken', '',
    ].join('\n');
    const crlf = lf.replaceAll('\n', '\r\n');
    const linesOf = (text: string) => {
      const parsed = parseManifestText(text, 'b.yaml');
      return { a: parsed.sources['Namespace//crlf-a']?.line, b: parsed.sources['Namespace//crlf-b']?.line, broken: parsed.broken.map((x) => x.where) };
    };
    expect(linesOf(lf)).toEqual({ a: 3, b: 9, broken: ['b.yaml:14'] });
    expect(linesOf(crlf)).toEqual(linesOf(lf));
  });

  it('flattens List kinds', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'x', namespace: 'n' } }] };
    const s = loadManifests([dirWith({ 'l.json': JSON.stringify(list) })]);
    expect(s.resources.serviceaccounts?.[0].metadata?.name).toBe('x');
  });

  it('skips non-Kubernetes documents and unknown kinds with a note, without failing', () => {
    const dir = dirWith({ 'x.yaml': 'foo: bar\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n' });
    const s = loadManifests([dir]);
    expect(s.notes.some((n) => /x\.yaml:1: skipped a document that is not a Kubernetes object/.test(n))).toBe(true);
    expect(s.notes.some((n) => n.includes('skipped example.com/v1 Widget w: not a kind ztaudit audits'))).toBe(true);
  });

  it('creates namespaces that objects refer to, with the metadata.name label, marked implicit (their other labels are unknown)', () => {
    const s = loadManifests([dirWith({ 'sa.yaml': 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: x, namespace: team-a}\n' })]);
    expect(s.resources.namespaces).toEqual([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { 'kubernetes.io/metadata.name': 'team-a' }, annotations: { 'ztaudit.io/implicit': 'true' } } }]);
  });

  it('marks custom kinds absent unless objects of them are present', () => {
    const s = loadManifests([dirWith({ 'pa.yaml': 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec: {mtls: {mode: STRICT}}\n' })]);
    expect(s.coverage['istio.peerauthentications']?.status).toBe('ok');
    expect(s.coverage['linkerd.servers']?.status).toBe('absent');
    expect(s.coverage.pods?.status).toBe('ok');
  });

  it('follows symlinks as in a ConfigMap volume mount (..data/ links), without looping', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-cm-'));
    mkdirSync(join(dir, '..2026_11_26'));
    writeFileSync(join(dir, '..2026_11_26', 'ns.yaml'), ns('mounted'));
    symlinkSync('..2026_11_26', join(dir, '..data'));
    symlinkSync('..data/ns.yaml', join(dir, 'ns.yaml'));
    symlinkSync('.', join(dir, 'loop'));
    const s = loadManifests([dir]);
    expect(s.resources.namespaces?.map((n) => n.metadata?.name)).toEqual(['mounted']);
  });

  it('refuses a directory with no Kubernetes objects instead of scoring it clean', () => {
    const dir = dirWith({ 'notes.yaml': 'just: text\n' });
    expect(() => loadManifests([dir])).toThrow(/no Kubernetes objects found/);
  });

  it('merges YAML merge keys as kubectl does, so a privileged container written through one is seen', () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n  containers:\n  - name: c\n    image: nginx\n    securityContext:\n      <<: {privileged: true}\n';
    const s = loadManifests([dirWith({ 'a.yaml': pod })]);
    expect(s.resources.pods?.[0].spec).toEqual({ containers: [{ name: 'c', image: 'nginx', securityContext: { privileged: true } }] });
  });

  it('names a document that cannot be loaded (an alias bomb) and keeps the others', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`)].join('\n');
    const s = loadManifests([dirWith({ 'bomb.yaml': `${bomb}\n---\n${ns('ok')}` })]);
    expect(s.resources.namespaces?.map((n) => n.metadata?.name)).toEqual(['ok']);
    expect(s.notes.some((n) => /bomb\.yaml:1: skipped a document that cannot be loaded/.test(n))).toBe(true);
  });

  it('fails clearly for a directory that does not exist', () => {
    expect(() => loadManifests(['/nonexistent/zt'])).toThrow('--manifests /nonexistent/zt: no such file or directory');
  });
});

describe('objects that cannot be named', () => {
  const crb = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: User, name: mallory}]\n';

  it('a cluster-admin binding without metadata makes its kind not read, named by file and line, instead of passing RBAC', () => {
    const s = loadManifests([dirWith({ 'a.yaml': `${ns('shop')}---\n${crb}` })]);
    expect(s.coverage.clusterrolebindings).toEqual({ status: 'error', detail: expect.stringMatching(/a\.yaml:6: ClusterRoleBinding whose metadata is missing$/) });
    expect(s.resources.namespaces?.map((n) => n.metadata?.name)).toEqual(['shop']);
  });

  it('so does one whose metadata has no name (`metadata: {}`)', () => {
    const s = loadManifests([dirWith({ 'b.yaml': `${ns('shop')}---\n${crb}metadata: {}\n` })]);
    expect(s.coverage.clusterrolebindings).toEqual({ status: 'error', detail: expect.stringMatching(/b\.yaml:6: ClusterRoleBinding whose metadata has no name$/) });
  });

  it('reads a top-level JSON array of objects as a List, so a binding in it is audited', () => {
    const binding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'x' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'User', name: 'mallory' }] };
    const s = loadManifests([dirWith({ 'a.json': JSON.stringify([binding, { apiVersion: 'v1', kind: 'Namespace', metadata: {} }]) })]);
    expect(s.resources.clusterrolebindings?.map((b) => b.metadata?.name)).toEqual(['x']);
    expect(s.coverage.namespaces).toEqual({ status: 'error', detail: expect.stringMatching(/a\.json:1: \[1\]: Namespace whose metadata has no name$/) });
  });

  it('the RBAC model says what it left out among the run notes', () => {
    const snapshot = snapshotFromObjects([
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: {}, rules: [] },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'b' }, roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [] },
    ] as KubeObject[]);
    expect(runNotes({ snapshot, config: defaultConfig(), now: new Date() })).toContain('ClusterRole without a name ignored');
  });
});

describe('an unrendered Helm template outside metadata', () => {
  const crb = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: ci-admin\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects:\n- kind: ServiceAccount\n  name: {{ .Values.serviceAccount }}\n  namespace: ci\n';

  it('makes the kind not read, naming the line and the Helm hint, instead of auditing a subject named [object Object]', () => {
    const s = loadManifests([dirWith({ 'a.yaml': `${crb}---\n${ns('ci')}` })]);
    expect(s.coverage.clusterrolebindings).toEqual({ status: 'error', detail: expect.stringMatching(/a\.yaml:1: document with a mapping used as a key at line 8 \(an unrendered Helm template\? audit the output of `helm template` instead\)$/) });
    expect(s.resources.namespaces?.map((n) => n.metadata?.name)).toEqual(['ci']);
  });

  it('in a document that is a bare list of objects too (`- apiVersion: …`), not only in a single object', () => {
    const asList = crb.split('\n').map((l, i) => (l === '' ? l : i === 0 ? `- ${l}` : `  ${l}`)).join('\n');
    const s = loadManifests([dirWith({ 'a.yaml': `${asList}---\n${ns('ci')}` })]);
    expect(s.coverage.clusterrolebindings).toEqual({ status: 'error', detail: expect.stringMatching(/a\.yaml:1: document with a mapping used as a key at line 8 \(an unrendered Helm template\? /) });
  });

  it('leaves a quoted template in a string alone', () => {
    const s = loadManifests([dirWith({ 'a.yaml': `${ns('ci')}  annotations: {note: "{{ .Values.x }}"}\n` })]);
    expect(s.coverage.namespaces?.status).toBe('ok');
    expect(s.notes).toEqual([]);
  });

  it('a directory of nothing else says what was skipped, not only that nothing was found', () => {
    expect(() => loadManifests([dirWith({ 'a.yaml': crb })])).toThrow(/no Kubernetes objects found .*; 1 skipped, the first .*a\.yaml:1: document with a mapping used as a key at line 8/);
  });
});

describe('an object defined twice', () => {
  const role = (rules: string) => `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: deployer}\nrules: [${rules}]\n`;
  const benign = role('{apiGroups: [apps], resources: [deployments], verbs: [get]}');
  const wildcard = role('{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}');
  const binding = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: deployer}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: deployer}\nsubjects: [{kind: ServiceAccount, name: ci, namespace: ci}]\n';
  const audit = (files: Record<string, string>) => {
    const snapshot = loadManifests([dirWith(files)], { cwd: '/' });
    const now = new Date('2026-12-01T00:00:00Z');
    return auditSnapshot({ snapshot, config: defaultConfig(), checks: CHECKS, now, startedAt: now, runId: 'r1', details: runDetails, notes: runNotes }).report;
  };
  const wildcardFindings = (r: ReturnType<typeof audit>) => r.findings.filter((f) => f.check === 'rbac.wildcard-permission' && !f.waived);

  it('is audited as the last copy read (as kubectl apply -f leaves it), in either file order, and said once with both places', () => {
    const wildcardLast = audit({ 'a.yaml': `${benign}---\n${binding}`, 'b.yaml': wildcard });
    expect(wildcardFindings(wildcardLast).length).toBeGreaterThan(0);
    expect(wildcardLast.run.notes.filter((n) => n.includes('deployer is defined more than once'))).toEqual([expect.stringMatching(/^ClusterRole deployer is defined more than once \(.*a\.yaml:1, .*b\.yaml:1\): the last one read, .*b\.yaml:1, is audited$/)]);
    const benignLast = audit({ 'a.yaml': `${wildcard}---\n${binding}`, 'b.yaml': benign });
    expect(wildcardFindings(benignLast)).toEqual([]);
    expect(benignLast.run.notes.filter((n) => n.includes('deployer is defined more than once'))).toHaveLength(1);
  });

  it('a file reached twice (the same directory given twice, or inside another given) is read once: no object is said to be defined twice', () => {
    const dir = dirWith({ 'a.yaml': `${benign}---\n${binding}`, 'sub/b.yaml': wildcard.replace('deployer', 'other') });
    const snapshot = loadManifests([dir, dir, join(dir, 'sub'), join(dir, 'sub', 'b.yaml')], { cwd: '/' });
    expect(snapshot.notes.filter((n) => n.includes('more than once'))).toEqual([]);
    expect((snapshot.resources.clusterroles ?? []).map((r) => r.metadata?.name).sort()).toEqual(['deployer', 'other']);
  });

  it('in a snapshot (not deduplicated by the reader), the RBAC model also audits the last copy and says so', () => {
    const objects = parseAllDocuments(`${benign}---\n${wildcard}---\n${binding}`).map((d) => d.toJS() as KubeObject);
    const snapshot = snapshotFromObjects(objects);
    const now = new Date('2026-12-01T00:00:00Z');
    const { report } = auditSnapshot({ snapshot, config: defaultConfig(), checks: CHECKS, now, startedAt: now, runId: 'r1', details: runDetails, notes: runNotes });
    expect(wildcardFindings(report).length).toBeGreaterThan(0);
    expect(report.run.notes).toContain('duplicate ClusterRole deployer: the last one is used, as the manifests reader keeps it');
  });

  it('in a snapshot, the Pod Security model also reads the last copy of a namespace', () => {
    const shop = (level: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'pod-security.kubernetes.io/enforce': level } } });
    const below = (objects: KubeObject[]) => {
      const snapshot = snapshotFromObjects(objects);
      const now = new Date('2026-12-01T00:00:00Z');
      return auditSnapshot({ snapshot, config: defaultConfig(), checks: CHECKS, now, startedAt: now, runId: 'r1', details: runDetails, notes: runNotes }).report.findings.filter((f) => f.check === 'pod-security.enforce-below-target' && f.resource.name === 'shop');
    };
    expect(below([shop('restricted'), shop('privileged')] as KubeObject[])).toHaveLength(1);
    expect(below([shop('privileged'), shop('restricted')] as KubeObject[])).toEqual([]);
  });

  it('keeps one copy of a binding, not both', () => {
    const s = loadManifests([dirWith({ 'a.yaml': binding, 'b.yaml': `${binding}---\n${binding.replace('name: deployer}\nroleRef', 'name: other}\nroleRef')}` })]);
    expect(s.resources.clusterrolebindings?.map((b) => b.metadata?.name)).toEqual(['deployer', 'other']);
  });

  it('in one namespace or another is two objects; without a namespace it is in default', () => {
    const sa = (ns: string) => `apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ci${ns}}\n`;
    const s = loadManifests([dirWith({ 'a.yaml': `${sa(', namespace: a')}---\n${sa(', namespace: b')}---\n${sa('')}---\n${sa(', namespace: default')}` })]);
    expect(s.resources.serviceaccounts?.map((o) => o.metadata?.namespace)).toEqual(['a', 'b', 'default']);
  });
});

describe('snapshot files', () => {
  it('round-trip as gzip JSON and remember where the data came from', async () => {
    const snap = loadManifests([dirWith({ 'a.yaml': ns('a') })]);
    const file = join(mkdtempSync(join(tmpdir(), 'zt-snap-')), 's.json.gz');
    writeSnapshot(file, snap);
    const back = await readSnapshot(file);
    expect(back.source).toBe('snapshot');
    expect(back.origin).toBe('manifests');
    expect(back.resources.namespaces).toEqual(snap.resources.namespaces);
  });

  it('refuses a malformed snapshot with the key that is wrong', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'zt-snap-')), 's.json');
    writeFileSync(file, JSON.stringify({ schemaVersion: 1 }));
    await expect(readSnapshot(file)).rejects.toThrow(/cluster\.name is missing/);
    writeFileSync(file, JSON.stringify({ schemaVersion: 1, cluster: { name: 'x' }, coverage: {}, resources: { pods: {} } }));
    await expect(readSnapshot(file)).rejects.toThrow(/resources\.pods is not a list/);
  });

  it('refuses coverage that does not match the resources, naming the key, instead of passing or skipping checks on nothing', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'zt-snap-')), 's.json');
    const write = (coverage: Record<string, unknown>, resources: Record<string, unknown[]>) => writeFileSync(file, JSON.stringify({ schemaVersion: 1, cluster: { name: 'c1' }, collectedAt: '2026-12-01T00:00:00Z', source: 'live', coverage, resources }));
    const shop = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
    write({ namespaces: { status: 'ok', count: 1 }, clusterrolebindings: { status: 'ok', count: 3 } }, { namespaces: [shop] });
    await expect(readSnapshot(file)).rejects.toThrow(/s\.json: coverage\.clusterrolebindings is ok but resources\.clusterrolebindings is missing; re-create it/);
    write({ namespaces: 'ok', clusterrolebindings: 'forbidden' }, { namespaces: [shop], clusterrolebindings: [] });
    await expect(readSnapshot(file)).rejects.toThrow(/s\.json: coverage\.namespaces is not \{"status": "ok" \| "absent" \| "forbidden" \| "error"\}/);
    write({ namespaces: { status: 'fine' } }, { namespaces: [shop] });
    await expect(readSnapshot(file)).rejects.toThrow(/coverage\.namespaces is not \{"status"/);
    write({ namespaces: { status: 'ok', count: 2 } }, { namespaces: [shop] });
    await expect(readSnapshot(file)).rejects.toThrow(/coverage\.namespaces\.count is 2 but resources\.namespaces holds 1/);
    write({ namespaces: { status: 'ok', count: 1 }, pods: { status: 'forbidden', detail: 'list pods' } }, { namespaces: [shop] });
    expect((await readSnapshot(file)).coverage.pods?.status).toBe('forbidden');
  });

  it('refuses an unknown schemaVersion with a clear error', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'zt-snap-')), 's.json');
    writeFileSync(file, JSON.stringify({ schemaVersion: 7, resources: {} }));
    await expect(readSnapshot(file)).rejects.toThrow(InputError);
    await expect(readSnapshot(file)).rejects.toThrow('schemaVersion 7 is not supported');
  });
});

describe('metadata.namespace on a cluster-scoped object (Helm templates it onto everything)', () => {
  const nsDoc = (stray: boolean) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n${stray ? '  namespace: shop\n' : ''}  labels: {pod-security.kubernetes.io/enforce: privileged}\n`;
  const deploy = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: nginx, securityContext: {privileged: true}}]}\n';
  const role = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader, namespace: ghost}\nrules: []\n';
  const findings = (stray: boolean) => {
    const snapshot = loadManifests([dirWith({ 'all.yaml': `${nsDoc(stray)}---\n${deploy}---\n${role}` })], { cwd: '/' });
    const now = new Date('2026-12-01T00:00:00Z');
    const { report } = auditSnapshot({ snapshot, config: defaultConfig(), checks: CHECKS, now, startedAt: now, runId: 'r1', details: runDetails, notes: runNotes });
    return { snapshot, keys: report.findings.filter((f) => f.check.startsWith('pod-security.')).map((f) => `${f.check} ${f.resource.kind}/${f.resource.name}`).sort() };
  };

  it('is ignored, as the API server ignores it: the Namespace is the declared one, and no namespace is made up', () => {
    const stray = findings(true);
    expect(stray.keys).toEqual(findings(false).keys);
    expect(stray.keys).toContain('pod-security.enforce-below-target Namespace/shop');
    expect((stray.snapshot.resources.namespaces ?? []).map((n) => n.metadata?.name).sort()).toEqual(['shop']);
  });
});

/** `ztaudit run --manifests m --fail-on high` over these files, as a user runs it: exit code, report.json, stderr. */
async function runOn(files: Record<string, string>) {
  const dir = dirWith(Object.fromEntries(Object.entries(files).map(([name, text]) => [`m/${name}`, text])));
  const io = captureIO(dir);
  const code = await main(['run', '--manifests', 'm', '--history', 'none', '--no-notify', '--out', 'out', '--fail-on', 'high'], io.cli);
  const report = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')) as RunReport;
  return { code, report, err: io.err() };
}

describe('a Helm template wrapped in `{{- if … }}` … `{{- end }}`', () => {
  // The usual shape of an optional object in a chart (helm.sh/docs/chart_template_guide/control_structures/):
  // the `{{- if` line breaks the YAML before its `kind:` line, which must still count as not read.
  const sa = 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ci, namespace: default}\nautomountServiceAccountToken: false\n';
  const crb = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: ci-admin\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects:\n- kind: ServiceAccount\n  name: ci\n  namespace: default\n';
  const wrapped = `{{- if .Values.rbac.create }}\n${crb}{{- end }}\n`;

  it('leaves cluster-admin-binding not evaluated and fails --fail-on high as a partial run naming the file, instead of passing RBAC with no bindings read', async () => {
    const { code, report, err } = await runOn({ 'sa.yaml': sa, 'crb.yaml': wrapped });
    expect(code).toBe(1);
    expect(report.run.coverage.clusterrolebindings).toEqual({ status: 'error', detail: expect.stringMatching(/^m\/crb\.yaml:1: broken YAML document: .*an unrendered Helm template\?/) });
    expect(report.checks.find((c) => c.id === 'rbac.cluster-admin-binding')).toMatchObject({ status: 'not-evaluated', unreadable: ['clusterrolebindings'] });
    expect(report.run.partial).toEqual([expect.stringMatching(/^clusterrolebindings could not be read \(error: m\/crb\.yaml:1: /)]);
    expect(err).toMatch(/exit 1: \d+ checks not evaluated \(clusterrolebindings error\)/);
  });

  it('in the middle of a file too, and the documents around it are read', () => {
    const r = parseManifestText(`${ns('a')}---\n${wrapped}---\n${ns('b')}`, 'all.yaml');
    expect(r.objects.map((o) => o.metadata?.name)).toEqual(['a', 'b']);
    expect(r.broken).toEqual([{ where: 'all.yaml:6', why: expect.stringMatching(/^broken YAML document: /), kind: 'clusterrolebindings' }]);
  });

  it('with its apiVersion templated too, as charts on Bitnami\'s common library write it, the kind named counts as not read', async () => {
    // `apiVersion: {{ include "common.capabilities.rbac.apiVersion" . }}` (bitnami/charts,
    // bitnami/common/templates/_capabilities.tpl): the group cannot be read, the kind can.
    const bitnami = wrapped.replace('apiVersion: rbac.authorization.k8s.io/v1', 'apiVersion: {{ include "common.capabilities.rbac.apiVersion" . }}');
    const { code, report } = await runOn({ 'sa.yaml': sa, 'crb.yaml': bitnami });
    expect(code).toBe(1);
    expect(report.run.coverage.clusterrolebindings).toEqual({ status: 'error', detail: expect.stringMatching(/^m\/crb\.yaml:1: /) });
    expect(report.checks.find((c) => c.id === 'rbac.cluster-admin-binding')?.status).toBe('not-evaluated');
    // A NetworkPolicy of unknown group may be any of them: none is taken as read.
    const policy = parseManifestText('apiVersion: {{ include "common.capabilities.networkPolicy.apiVersion" . }}\nkind: NetworkPolicy\nmetadata: {name: x, namespace: a}\nspec: {podSelector: {}}\n', 'np.yaml');
    expect(policy.broken.map((b) => b.kind)).toEqual(['networkpolicies', 'calico.networkpolicies', 'calico-v3.networkpolicies', 'antrea.networkpolicies']);
  });

  it('rendered (what `helm template` prints), the binding is audited and fails', async () => {
    const { code, report } = await runOn({ 'sa.yaml': sa, 'crb.yaml': crb });
    expect(code).toBe(1);
    expect(report.findings.filter((f) => f.check === 'rbac.cluster-admin-binding').map((f) => `${f.severity} ${f.resource.kind}/${f.resource.namespace}/${f.resource.name}`)).toEqual(['critical ServiceAccount/default/ci']);
  });
});

describe('YAML read as kubectl reads it (YAML 1.1: yes/no/on/off are booleans, 0644 is octal)', () => {
  // kubectl reads manifests with sigs.k8s.io/yaml over goyaml.v2, whose resolve.go
  // (kubernetes-sigs/yaml goyaml.v2/resolve.go, commit 0fe7da35) makes y/yes/on and n/no/off,
  // in lower, Title and UPPER case, booleans; the API reference says of a volume's defaultMode
  // "YAML accepts both octal and decimal values" (kubernetes.io/docs/reference/kubernetes-api/
  // config-and-storage-resources/volume/). test/conformance/kube-yaml.test.ts holds the rest.
  const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: app\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n';
  const denyAll = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: app}\nspec: {podSelector: {}, policyTypes: [Ingress, Egress]}\n';
  const sa = 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: quiet, namespace: app}\nautomountServiceAccountToken: false\n';
  const pod = (t: string, f: string) => [
    'apiVersion: v1', 'kind: Pod', 'metadata: {name: p, namespace: app}', 'spec:', '  serviceAccountName: quiet',
    `  automountServiceAccountToken: ${t}`, `  hostNetwork: ${f}`, '  securityContext:', `    runAsNonRoot: ${t}`, '    seccompProfile: {type: RuntimeDefault}',
    '  containers:', '  - name: c', '    image: nginx', '    resources: {limits: {cpu: 1, memory: 1Gi}}', '    securityContext:',
    `      privileged: ${f}`, `      allowPrivilegeEscalation: ${f}`, `      readOnlyRootFilesystem: ${t}`, '      capabilities: {drop: [ALL]}',
    '  volumes:', '  - name: v', '    configMap: {name: x, defaultMode: 0644}', '',
  ].join('\n');
  const audit = (t: string, f: string) => runOn({ 'app.yaml': [namespace, denyAll, sa, pod(t, f)].join('---\n') });
  const findings = (report: RunReport) => report.findings.map((f) => `${f.check} ${f.severity}: ${f.message}`);

  it('a restricted pod written with yes/no passes --fail-on high, and its token mount is found, exactly as when written with true/false', async () => {
    const written = await audit('yes', 'no');
    const plain = await audit('true', 'false');
    expect(findings(written.report)).toEqual(findings(plain.report));
    expect(written.code).toBe(0);
    expect(findings(written.report)).toEqual([expect.stringMatching(/^rbac\.serviceaccount-token-automount low: Pod app\/p mounts an API token .*the pod sets automountServiceAccountToken: true/)]);
  });

  it('every case form resolve.go lists is read the same (On, OFF, Y, N, YES, No)', async () => {
    for (const [t, f] of [['On', 'OFF'], ['Y', 'N'], ['YES', 'No'], ['y', 'n']]) {
      const { code, report } = await audit(t, f);
      expect({ form: `${t}/${f}`, code, findings: findings(report).length }).toEqual({ form: `${t}/${f}`, code: 0, findings: 1 });
    }
  });

  it('hostNetwork: on is a pod on the node network, named as such, and privileged: on fails Pod Security', async () => {
    const { code, report } = await audit('on', 'on');
    expect(code).toBe(1);
    expect(report.findings.find((f) => f.check === 'pod-security.pod-violates-enforced-level')?.message).toMatch(/host namespaces \(hostNetwork=true\); privileged \(container "c" must not set securityContext\.privileged=true\)/);
    expect(findings(report)).toContainEqual(expect.stringMatching(/^network\.namespace-default-deny-ingress low: 1 hostNetwork workload/));
  });

  it('0644 is 420, and a timestamp, 1:30 and a quoted "yes" stay the text written', () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: app}\ndata: {when: 2027-03-31, at: 1:30, word: "yes"}\n';
    const r = parseManifestText(`${pod('yes', 'no')}---\n${cm}`, 'a.yaml');
    expect(r.objects[0].spec).toMatchObject({ automountServiceAccountToken: true, hostNetwork: false, volumes: [{ name: 'v', configMap: { name: 'x', defaultMode: 420 } }] });
    expect(r.objects[1].data).toEqual({ when: '2027-03-31', at: '1:30', word: 'yes' });
  });
});

// The API server refuses an object whose list-typed field holds a mapping (PodSpec.containers is
// []Container, a binding's subjects []Subject: https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#PodSpec,
// https://kubernetes.io/docs/reference/kubernetes-api/authorization-resources/cluster-role-binding-v1/),
// so such a manifest is not what the cluster would run: it is skipped, named, and its kind counts
// as not read, never read as no containers (a pass) nor as one container.
describe('a list-typed field written as a mapping', () => {
  const deployment = (containers: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: app}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
${containers}`;
  const asList = '        - name: c\n          image: nginx\n          securityContext: {privileged: true}\n';
  const asMapping = '          name: c\n          image: nginx\n          securityContext: {privileged: true}\n';
  const crb = (subjects: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:${subjects}`;
  const status = (report: RunReport, id: string) => report.checks.find((c) => c.id === id)?.status;

  it('containers: the Deployment is skipped with a warning naming file, line and key, and writable-root-filesystem is not evaluated instead of passing', async () => {
    const control = await runOn({ 'ns.yaml': ns('app'), 'a.yaml': deployment(asList) });
    expect(status(control.report, 'pod-security.writable-root-filesystem')).toBe('fail');
    const { code, report, err } = await runOn({ 'ns.yaml': ns('app'), 'a.yaml': deployment(asMapping) });
    expect(err).toContain('m/a.yaml:1: skipped a Deployment whose spec.template.spec.containers is a mapping, not a list');
    expect(status(report, 'pod-security.writable-root-filesystem')).toBe('not-evaluated');
    expect(status(report, 'pod-security.resource-limits-missing')).toBe('not-evaluated');
    expect(report.run.coverage.deployments).toEqual({ status: 'error', detail: 'm/a.yaml:1: Deployment whose spec.template.spec.containers is a mapping, not a list' });
    expect(report.run.coverage.pods?.status).toBe('error');
    expect(code).toBe(1);
  });

  it('subjects: a cluster-admin binding whose subjects is a string or a mapping leaves cluster-admin-binding not evaluated, naming the key', async () => {
    const control = await runOn({ 'ns.yaml': ns('app'), 'b.yaml': crb('\n- {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}\n') });
    expect(status(control.report, 'rbac.cluster-admin-binding')).toBe('fail');
    for (const [subjects, what] of [[' oops\n', 'a string (oops)'], ['\n  kind: User\n  name: alice\n', 'a mapping']]) {
      const { report, err } = await runOn({ 'ns.yaml': ns('app'), 'b.yaml': crb(subjects!) });
      expect(err).toContain(`m/b.yaml:1: skipped a ClusterRoleBinding whose subjects is ${what}, not a list`);
      expect(status(report, 'rbac.cluster-admin-binding')).toBe('not-evaluated');
      expect(report.run.coverage.clusterrolebindings?.status).toBe('error');
    }
  });
});

describe('snapshot files with objects in a shape the API server refuses', () => {
  const write = (resources: Record<string, unknown[]>, cluster: unknown = { name: 'c1' }) => {
    const file = join(mkdtempSync(join(tmpdir(), 'zt-snap-')), 's.json');
    const coverage = Object.fromEntries(Object.entries(resources).map(([k, list]) => [k, { status: 'ok', count: list.length }]));
    writeFileSync(file, JSON.stringify({ schemaVersion: 1, cluster, collectedAt: '2026-12-01T00:00:00Z', source: 'live', coverage, resources }));
    return file;
  };
  const pod = (spec: unknown) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'app' }, spec });

  it('refuses a pod whose containers is a mapping, or a binding whose subjects is a string, naming the object and key', async () => {
    expect((await readSnapshot(write({ pods: [pod({ containers: [{ name: 'c', image: 'nginx' }] })] }))).resources.pods).toHaveLength(1);
    await expect(readSnapshot(write({ pods: [pod({ containers: [{ name: 'c' }] }), pod({ containers: { name: 'c', image: 'nginx', securityContext: { privileged: true } } })] })))
      .rejects.toThrow(/s\.json: resources\.pods\[1\]\.spec\.containers is a mapping, not a list; re-create it with `ztaudit snapshot`$/);
    const crb = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'ops' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: 'alice' };
    await expect(readSnapshot(write({ clusterrolebindings: [crb] }))).rejects.toThrow(/resources\.clusterrolebindings\[0\]\.subjects is a string \(alice\), not a list/);
  });

  it('names an annotation key with a line break on one line (escaped), so it cannot forge a line of the error', async () => {
    const ing = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', namespace: 'app', annotations: { 'k\r\nztaudit: forged line': true } } };
    const error = await readSnapshot(write({ ingresses: [ing] })).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message.split(/[\r\n]/)).toHaveLength(1);
    expect((error as Error).message).toContain('resources.ingresses[0].metadata.annotations.k\\u000d\\u000aztaudit: forged line is a boolean (true), not a string');
  });

  it('says what cluster.name is when it is not a string, instead of "missing"', async () => {
    await expect(readSnapshot(write({}, { name: { first: 'x' } }))).rejects.toThrow(/cluster\.name is a mapping, not a string;/);
    await expect(readSnapshot(write({}, ['c1']))).rejects.toThrow(/: cluster is a list, not a mapping;/);
    await expect(readSnapshot(write({}, {}))).rejects.toThrow(/cluster\.name is missing;/);
  });
});
