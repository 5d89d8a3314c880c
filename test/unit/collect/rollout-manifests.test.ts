// An Argo Rollout makes its pods through ReplicaSets from its own spec.template, as a Deployment
// does ("Argo Rollouts ... manages the creation, scaling, and deletion of ReplicaSets",
// https://argoproj.github.io/argo-rollouts/; Rollout spec.template is a PodTemplateSpec,
// https://argoproj.github.io/argo-rollouts/features/specification/). Pod Security admission
// judges the pods made from it (https://kubernetes.io/docs/concepts/security/pod-security-admission/).
// A live run judges a Rollout through its ReplicaSets; a manifests run judges its template, under
// the same name. Kinds whose template nobody here reads say that Pod Security did not judge it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { CHECKS } from '../../../checks/index.ts';

const NOW = new Date('2026-12-01T00:00:00Z');
const ENFORCED = 'pod-security.pod-violates-enforced-level';

const NAMESPACE = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: app, labels: {pod-security.kubernetes.io/enforce: restricted}}';
const ROLLOUT = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web, namespace: app}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      hostPID: true
      containers:
      - name: a
        image: x
        securityContext: {privileged: true}
  strategy: {canary: {steps: [{setWeight: 20}]}}`;
const POD_TEMPLATE = 'apiVersion: v1\nkind: PodTemplate\nmetadata: {name: tpl, namespace: app}\ntemplate:\n  spec:\n    containers: [{name: a, image: x, securityContext: {privileged: true}}]';

function audit(docs: string[]) {
  const parsed = parseManifestText(docs.join('\n---\n'), 'all.yaml');
  const snapshot = snapshotFromObjects(parsed.objects, { origin: 'manifests', sources: parsed.sources, clusterVersion: 'v1.36.0' });
  return auditSnapshot({ snapshot, config: defaultConfig(), checks: CHECKS, now: NOW, startedAt: NOW, runId: 'r1' }).report;
}

describe('an Argo Rollout in a manifests dir', () => {
  it('its pod template is judged like a Deployment\'s: a privileged Rollout fails the enforced level, high', () => {
    const report = audit([NAMESPACE, ROLLOUT, POD_TEMPLATE]);
    const f = report.findings.find((x) => x.check === ENFORCED)!;
    expect(f.resource).toEqual({ kind: 'Rollout', namespace: 'app', name: 'web' });
    expect(f.severity).toBe('high');
    expect(f.message).toContain('privileged (container "a" must not set securityContext.privileged=true)');
    expect(report.checks.find((c) => c.id === ENFORCED)!.status).toBe('fail');
    expect(report.score.areas['pod-security']).toBeLessThan(100);
    // A PodTemplate makes no pods of its own: kept out, and the note says Pod Security did not judge it.
    expect(report.run.notes!.filter((n) => n.includes('PodTemplate'))).toEqual([expect.stringMatching(/^all\.yaml:\d+: skipped v1 PodTemplate (app\/)?tpl: not a kind ztaudit audits; Pod Security did not judge its pod template \(audit the workload it makes instead\)$/)]);
    expect(report.run.notes!.some((n) => n.includes('Rollout web'))).toBe(false);
  });

  it('a Rollout whose template cannot be read makes the pod checks not evaluated, with a note naming it', () => {
    const report = audit([NAMESPACE, ROLLOUT.replace(/      containers:\n      - name: a\n        image: x\n        securityContext: \{privileged: true\}/, '      containers: {name: a, image: x}')]);
    expect(report.run.notes).toContain('skipped argoproj.io/v1alpha1 Rollout web: its spec.template.spec.containers is a mapping, not a list');
    expect(report.checks.find((c) => c.id === ENFORCED)!.status).toBe('not-evaluated');
  });

  // A Rollout with spec.workloadRef has no template of its own: Argo Rollouts takes the pod
  // template of the Deployment or ReplicaSet (spec.template) or PodTemplate (template) it names, in
  // the Rollout's namespace, and refuses other kinds (argoproj/argo-rollouts v1.9.1 rollout/templateref.go,
  // infoByGroupKind and Resolve; the Argo Rollouts docs, "Migrating to Rollouts", https://argoproj.github.io/argo-rollouts/migrating/).
  // Reviewer repro /tmp/rev-revpss/zero.
  it('a workloadRef Rollout: the note names the workload whose template was judged, or says it is missing', () => {
    const ref = (kind: string, name: string, apiVersion = 'apps/v1') => `apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: web, namespace: app}\nspec:\n  replicas: 3\n  selector: {matchLabels: {app: web}}\n  workloadRef: {apiVersion: ${apiVersion}, kind: ${kind}, name: ${name}, scaleDown: never}`;
    const deployment = ROLLOUT.replace('argoproj.io/v1alpha1', 'apps/v1').replace('kind: Rollout', 'kind: Deployment').replace('replicas: 2', 'replicas: 0').replace(/  strategy: .*/, '');
    const report = audit([NAMESPACE, deployment, ref('Deployment', 'web')]);
    // Before: "skipped argoproj.io/v1alpha1 Rollout web: not a kind ztaudit audits; Pod Security did not judge its pod template (…)".
    expect(report.run.notes).toContain("Rollout app/web: its pods come from Deployment app/web's pod template (spec.workloadRef), judged as Deployment app/web");
    expect(report.run.notes!.some((n) => n.includes('not a kind ztaudit audits'))).toBe(false);
    // It was judged there: the privileged template fails the enforced level under the Deployment's name.
    expect(report.findings.find((x) => x.check === ENFORCED)!.resource).toEqual({ kind: 'Deployment', namespace: 'app', name: 'web' });
    // Missing from the objects read: said so, and that nothing judged it.
    expect(audit([NAMESPACE, ref('Deployment', 'gone')]).run.notes).toContain("Rollout app/web: its pods come from Deployment app/gone's pod template (spec.workloadRef), which is not among the objects read; Pod Security did not judge it");
    // A ReplicaSet of the name but not the kind named is not it.
    expect(audit([NAMESPACE, deployment.replace('kind: Deployment', 'kind: ReplicaSet'), ref('Deployment', 'web')]).run.notes).toContain("Rollout app/web: its pods come from Deployment app/web's pod template (spec.workloadRef), which is not among the objects read; Pod Security did not judge it");
    expect(audit([NAMESPACE, POD_TEMPLATE, ref('PodTemplate', 'tpl', 'v1')]).run.notes).toContain("Rollout app/web: its pods come from PodTemplate app/tpl's pod template (spec.workloadRef), a kind ztaudit does not audit; Pod Security did not judge it");
    expect(audit([NAMESPACE, ref('StatefulSet', 'db')]).run.notes).toContain('Rollout app/web: its spec.workloadRef names "apps/v1" "StatefulSet", which Argo Rollouts does not resolve (only apps Deployment, apps ReplicaSet and PodTemplate): it makes no pods, and no pod template was judged for it');
  });

  // Argo Rollouts spec: "replicas: Number of desired pods. Defaults to 1"
  // (https://argo-rollouts.readthedocs.io/en/stable/features/specification/).
  it('its pod count is its spec.replicas, as a Deployment\'s is', () => {
    const deployment = ROLLOUT.replace('argoproj.io/v1alpha1', 'apps/v1').replace('kind: Rollout', 'kind: Deployment').replace('name: web', 'name: api').replace('replicas: 2', 'replicas: 3').replace(/  strategy: .*/, '');
    const report = audit([NAMESPACE.replace(/, labels: \{[^}]*\}/, ''), ROLLOUT.replace('replicas: 2', 'replicas: 3'), deployment]);
    const f = report.findings.find((x) => x.check === 'pod-security.pod-violates-target' && x.resource.kind === 'Rollout')!;
    expect(f.evidence).toMatchObject({ podCount: 3 });
    const g = report.findings.find((x) => x.check === 'pod-security.pod-violates-target' && x.resource.kind === 'Deployment')!;
    expect(g.evidence).toMatchObject({ podCount: 3 });
    const noReplicas = audit([NAMESPACE, ROLLOUT.replace('  replicas: 2\n', '')]);
    expect(noReplicas.findings.find((x) => x.check === ENFORCED)!.evidence).toMatchObject({ podCount: 1 });
  });

  // `kubectl apply -f DIR` leaves the last copy of an object read: a Rollout defined twice is one
  // Rollout, audited as its last copy, named as any duplicate object is.
  it('defined twice: one Rollout, the last copy audited, the duplicate said; findings, report.json and the HTML name it a Rollout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-rollout-'));
    writeFileSync(join(dir, 'a.yaml'), `${NAMESPACE}\n---\n${ROLLOUT}\n`);
    // The fixed copy read last: no hostPID, no privileged container.
    writeFileSync(join(dir, 'b.yaml'), `${ROLLOUT.replace('      hostPID: true\n', '').replace('        securityContext: {privileged: true}', '        securityContext: {allowPrivilegeEscalation: true}')}\n`);
    const cli = { stdout: () => {}, stderr: () => {}, env: {}, isTTY: false, cwd: dir };
    expect(await main(['run', '--manifests', '.', '--cluster-version', 'v1.36.0', '--out', 'out', '--history', 'none', '--no-notify', '--format', 'json,html', '-q'], cli)).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')) as { run: { notes?: string[]; coverage: Record<string, { count?: number }> }; findings: Array<{ check: string; resource: { kind: string }; message: string }> };
    expect(report.run.notes).toContain('Rollout app/web is defined more than once (a.yaml:5, b.yaml:1): the last one read, b.yaml:1, is audited');
    expect(report.run.coverage.replicasets.count).toBe(1);
    const enforced = report.findings.filter((f) => f.check === ENFORCED);
    expect(enforced.map((f) => f.resource.kind)).toEqual(['Rollout']);
    expect(enforced[0].message).toContain('allowPrivilegeEscalation');
    expect(enforced[0].message).not.toContain('privileged (container');
    expect(report.findings.some((f) => f.resource.kind === 'ReplicaSet')).toBe(false);
    const html = readFileSync(join(dir, 'out', 'report.html'), 'utf8').replace(/<wbr>/g, '');
    expect(html).toContain('Rollout app/web');
    expect(html).not.toMatch(/ReplicaSet app\/web/);
  });
});
