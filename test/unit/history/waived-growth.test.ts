// A waiver is granted for the exposure its finding had then. The reviewer's reproduction
// (/tmp/rev-history Q.db): a waiver on ServiceAccount shop/web for rbac.pod-exec-attach, granted
// while a RoleBinding let it exec into pods of shop; a ClusterRoleBinding of the same ClusterRole
// then makes that cluster-wide (Kubernetes RBAC: "A RoleBinding grants permissions within a
// specific namespace whereas a ClusterRoleBinding grants that access cluster-wide",
// https://kubernetes.io/docs/reference/access-authn-authz/rbac/#rolebinding-and-clusterrolebinding).
// The waived finding escalated medium → high and widened, and was only listed as newly waived:
// no alert. Now it is a regression, unless the waiver was granted again in the same run.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { captureIO } from '../../helpers/cli.ts';
import { startFakeSlack } from '../notify/slack-server.ts';

const SHOP_EXEC = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {pod-security.kubernetes.io/enforce: restricted}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
automountServiceAccountToken: false
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pod-exec}
rules:
- {apiGroups: [""], resources: [pods/exec], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: exec, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-exec}
subjects:
- {kind: ServiceAccount, name: web, namespace: shop}
`;
const EVERYWHERE = `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: exec-everywhere}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-exec}
subjects:
- {kind: ServiceAccount, name: web, namespace: shop}
`;
const waiver = (reason: string) => `waivers:
  - check: rbac.pod-exec-attach
    resource: { kind: ServiceAccount, namespace: shop, name: web }
    reason: "${reason}"
    owner: me@example.com
    expires: 2099-03-31
`;

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'ztaudit-waived-growth-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(out: string, yaml: string, reason: string, env: Record<string, string> = {}, notify = ['--no-notify']) {
  writeFileSync(join(dir, `${out}.yaml`), yaml);
  writeFileSync(join(dir, `${out}.config.yaml`), waiver(reason));
  const t = captureIO(dir, env);
  const code = await main(['run', '--manifests', join(dir, `${out}.yaml`), '--config', join(dir, `${out}.config.yaml`), '--cluster', 'q', '--history', join(dir, 'h.db'), '--out', join(dir, out), '--format', 'json', '--fail-on', 'regression', '-q', ...notify], t.cli);
  const file = join(dir, out, 'report.json');
  return { code, t, report: existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as RunReport : null };
}

const execFinding = (r: RunReport) => r.findings.filter((f) => f.check === 'rbac.pod-exec-attach').map((f) => [f.resource.name, f.severity, f.waived]);

describe('a waived finding that grows beyond its waiver', () => {
  it('escalated and widened (exec in shop → cluster-wide): a regression naming the waiver and what grew, alerted on Slack, --fail-on regression exits 1; the next run, unchanged, is none', async () => {
    const one = await run('r1', SHOP_EXEC, 'debugging in shop');
    expect(one.code, one.t.err()).toBe(0);
    expect(execFinding(one.report!)).toEqual([['web', 'medium', true]]);

    const slack = await startFakeSlack();
    try {
      const two = await run('r2', SHOP_EXEC + EVERYWHERE, 'debugging in shop', { ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_CHANNEL: 'C0ALERTS', ZTAUDIT_SLACK_API_URL: slack.apiUrl }, []);
      expect(execFinding(two.report!)).toEqual([['web', 'high', true]]);
      const reason = 'waived finding grew beyond its waiver (rbac.pod-exec-attach ServiceAccount shop/web): rbac.pod-exec-attach on ServiceAccount shop/web escalated medium → high and widened: now also create pods/exec cluster-wide (1 → 2 permissions)';
      expect(two.report!.diff!.regression).toBe(true);
      expect(two.report!.diff!.regressionReasons).toEqual([reason]);
      expect(two.code, two.t.err()).toBe(1);
      expect(two.report!.notifications).toEqual([expect.objectContaining({ channel: 'slack', status: 'sent' })]);
      expect(slack.calls.some((c) => c.path === '/api/chat.postMessage' && JSON.stringify(c.fields).includes('waived finding grew beyond its waiver'))).toBe(true);
    } finally {
      await slack.close();
    }

    const three = await run('r3', SHOP_EXEC + EVERYWHERE, 'debugging in shop');
    expect(three.code, three.t.err()).toBe(0);
    expect(three.report!.diff!.regression).toBe(false);
  });

  it('unchanged under its waiver: no regression', async () => {
    await run('r1', SHOP_EXEC, 'debugging in shop');
    const two = await run('r2', SHOP_EXEC, 'debugging in shop');
    expect(two.code, two.t.err()).toBe(0);
    expect(two.report!.diff).toMatchObject({ regression: false, regressionReasons: [], new: [], resolved: [] });
    expect(execFinding(two.report!)).toEqual([['web', 'medium', true]]);
  });

  it('grown while its waiver was granted again in the same run (a new reason): the new grant covers it, no regression; still listed with what it now covers', async () => {
    await run('r1', SHOP_EXEC, 'debugging in shop');
    const two = await run('r2', SHOP_EXEC + EVERYWHERE, 'cluster-wide exec for the 2027 migration');
    expect(two.code, two.t.err()).toBe(0);
    expect(two.report!.diff!.regression).toBe(false);
    expect(two.report!.diff!.newlyWaived).toEqual([expect.objectContaining({ check: 'rbac.pod-exec-attach', throughRelated: false, widened: expect.objectContaining({ before: 1, after: 2 }) })]);
  });
});

// The reviewer's reproduction (/tmp/rev-merged3/churn): namespace ci has no NetworkPolicy, so its
// pods are not isolated for ingress ("By default, a pod is non-isolated for ingress",
// https://kubernetes.io/docs/concepts/services-networking/network-policies/#the-two-sorts-of-pod-isolation),
// and a waiver on Namespace ci accepts that for every workload there. An Argo Workflow's pods
// carry a new generated name each run (a Workflow created from a CronWorkflow is named
// <cronworkflow>-<suffix>, https://argo-workflows.readthedocs.io/en/latest/cron-workflows/, as a
// CronJob's Jobs are, https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#job-creation):
// a new member of the same namespace is churn under what was waived, not growth beyond it.
const CI = (workflow: string) => `apiVersion: v1
kind: Namespace
metadata: {name: ci}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: runner, namespace: ci}
spec:
  replicas: 2
  selector: {matchLabels: {app: runner}}
  template:
    metadata: {labels: {app: runner}}
    spec:
      containers: [{name: r, image: example/r:1, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Pod
metadata:
  name: ${workflow}-111
  namespace: ci
  labels: {workflows.argoproj.io/workflow: ${workflow}}
  ownerReferences: [{apiVersion: argoproj.io/v1alpha1, kind: Workflow, name: ${workflow}, uid: 1234-${workflow}, controller: true}]
spec:
  containers: [{name: main, image: example/build:1, ports: [{containerPort: 9000}]}]
`;
const CI_WAIVER = `waivers:
  - check: network.namespace-default-deny-ingress
    resource: {kind: Namespace, name: ci}
    reason: "CI namespace accepted without policies until Q3"
    owner: platform@example.com
    expires: 2099-03-31
`;

describe('a waived namespace finding whose workloads churn inside the namespace', () => {
  async function ciRun(out: string, workflow: string) {
    writeFileSync(join(dir, `${out}.yaml`), CI(workflow));
    writeFileSync(join(dir, 'ci.config.yaml'), CI_WAIVER);
    const t = captureIO(dir);
    const code = await main(['run', '--manifests', join(dir, `${out}.yaml`), '--config', join(dir, 'ci.config.yaml'), '--cluster', 'q', '--history', join(dir, 'h.db'), '--out', join(dir, out), '--format', 'json', '--fail-on', 'regression', '-q', '--no-notify'], t.cli);
    return { code, t, report: JSON.parse(readFileSync(join(dir, out, 'report.json'), 'utf8')) as RunReport };
  }

  it('a Workflow pod of a new generated name in the waived namespace ci: no regression, exit 0, still listed as what the waiver now also hides', async () => {
    const one = await ciRun('r1', 'build-nightly-abc12');
    expect(one.code, one.t.err()).toBe(0);
    const two = await ciRun('r2', 'build-nightly-xyz34');
    const ci = two.report.findings.find((f) => f.check === 'network.namespace-default-deny-ingress' && f.resource.name === 'ci');
    expect(ci).toMatchObject({ waived: true, extent: { members: ['Deployment ci/runner', 'Workflow ci/build-nightly-xyz34'] } });
    expect(two.report.diff!.regressionReasons).toEqual([]);
    expect(two.report.diff!.regression).toBe(false);
    expect(two.code, two.t.err()).toBe(0);
    expect(two.report.diff!.newlyWaived).toEqual([expect.objectContaining({ check: 'network.namespace-default-deny-ingress', widened: expect.objectContaining({ added: ['Workflow ci/build-nightly-xyz34'] }) })]);
  });
});
