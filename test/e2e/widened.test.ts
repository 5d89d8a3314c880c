// `ztaudit run --manifests` twice against one history: the second run's change widens a finding
// that already failed, under the same fingerprint and severity. Hiding a backdoor from the
// diff is what this tool must not allow: the run regresses (exit code under --fail-on
// regression), naming what is now also open.
//
// Isolation per /work/shared/reference/checks.md §1.1 (kubernetes.io/docs/concepts/services-networking/network-policies/#the-two-sorts-of-pod-isolation):
// a pod is ingress-isolated iff some NetworkPolicy in its namespace selects it with Ingress in
// its policyTypes. Secrets read per checks.md "Read secrets": get, list or watch on `secrets`.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { main } from '../../src/cli/main.ts';
import { captureIO } from '../helpers/cli.ts';

let dir: string;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(join(import.meta.dirname, '../../schemas/report.schema.json'), 'utf8')));

const NAMESPACE = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n';
const deployment = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: c, image: "registry.example/${name}:1"}]}
`;
const denyAll = (app: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-${app}, namespace: shop}
spec: {podSelector: {matchLabels: {app: ${app}}}, policyTypes: [Ingress]}
`;
/** User ops reads much of the cluster and `secretVerbs` on Secrets, everywhere. */
const ops = (secretVerbs: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ops}
rules:
- {apiGroups: [""], resources: [secrets], verbs: [${secretVerbs}]}
- {apiGroups: ["", apps, batch], resources: [pods, services, configmaps, endpoints, events, deployments, replicasets, statefulsets, daemonsets, jobs, cronjobs], verbs: [get, list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ops}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: ops}]
`;

function writeCluster(files: Record<string, string>): void {
  rmSync(join(dir, 'cluster'), { recursive: true, force: true });
  mkdirSync(join(dir, 'cluster'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'cluster', name), text);
}

const run = async () => {
  const io = captureIO(dir);
  const code = await main(['run', '--manifests', 'cluster', '--out', 'out', '--history', 'history.db', '--format', 'json,md', '--fail-on', 'regression', '--no-notify'], io.cli);
  return { code, report: JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')), err: io.err() };
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zt-widen-'));
});

describe('a finding that widens between two runs', () => {
  it('regresses when a deny-all of one more workload in an already-failing namespace is deleted', async () => {
    const workloads = { '00-ns.yaml': NAMESPACE, '10-web.yaml': deployment('web'), '11-api.yaml': deployment('api') };
    writeCluster({ ...workloads, '20-deny-api.yaml': denyAll('api') });
    const first = await run();
    expect(first.code).toBe(0);
    const finding = first.report.findings.find((f: { check: string }) => f.check === 'network.namespace-default-deny-ingress');
    expect(finding.extent).toEqual({ unit: 'workloads', count: 1, members: ['Deployment shop/web'] });

    writeCluster(workloads); // the deny-all of api is gone: shop still fails, same fingerprint, same severity
    const second = await run();
    expect(second.report.diff.new).toEqual([]);
    expect(second.report.diff.regression).toBe(true);
    expect(second.report.diff.regressionReasons).toContain('network.namespace-default-deny-ingress on Namespace shop widened: now also Deployment shop/api (1 → 2 workloads)');
    expect(second.report.diff.widened).toEqual([expect.objectContaining({ check: 'network.namespace-default-deny-ingress', before: 1, after: 2, added: ['Deployment shop/api'] })]);
    expect(second.code).not.toBe(0);
    expect(second.err).toContain('widened: now also Deployment shop/api');
    // report.md's changes section lists it beside the new and resolved findings.
    const md = readFileSync(join(dir, 'out/report.md'), 'utf8');
    expect(md).toContain('**Persisting findings that now cover more** (1):');
    expect(md).toContain('- `network.namespace-default-deny-ingress` on Namespace shop: 1 → 2 workloads, now also Deployment shop/api');
    // report.json's contract: the finding's extent and diff.widened are in the JSON Schema.
    expect(validate(second.report), JSON.stringify(validate.errors)).toBe(true);

    // A third run with nothing changed: the widening was said once.
    const third = await run();
    expect(third.report.diff.regression).toBe(false);
    expect(third.code).toBe(0);
  });

  it('regresses when a subject already reading Secrets everywhere gains one more verb, which RBAC breadth growth (20 % by default) does not catch', async () => {
    writeCluster({ '00-ns.yaml': NAMESPACE, '30-ops.yaml': ops('get') });
    expect((await run()).code).toBe(0);
    writeCluster({ '00-ns.yaml': NAMESPACE, '30-ops.yaml': ops('get, list') });
    const second = await run();
    expect(second.report.diff.new).toEqual([]);
    // Breadth grew, but under the default threshold: without the widening, no reason at all.
    expect(second.report.diff.breadthGrowth).toEqual([expect.objectContaining({ subject: { kind: 'User', name: 'ops' } })]);
    expect(second.report.diff.breadthGrowth[0].growthPercent).toBeLessThan(20);
    expect(second.report.diff.regressionReasons).toEqual(['rbac.secrets-cluster-read on User ops widened: now also list secrets cluster-wide (1 → 2 permissions)']);
    expect(second.code).not.toBe(0);
  });
});
