// Manifests carry no cluster version, and Pod Security's rules change with it: upstream relaxes
// runAsNonRoot/runAsUser for user-namespace pods from policy 1.35
// (kubernetes/pod-security-admission policy/check_runAsNonRoot.go, MinimumVersion 1.35) and
// allows net.ipv4.tcp_notsent_lowat from 1.37 (policy/check_sysctls.go). A pod that passes at
// 1.37 fails on a 1.34 cluster; the operator says which with cluster.version / --cluster-version,
// and a run that was not told says at which policy it judged.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { writeSnapshot } from '../../../src/snapshot/io.ts';

const MANIFESTS = `apiVersion: v1
kind: Namespace
metadata: {name: app, labels: {pod-security.kubernetes.io/enforce: restricted}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: rootish, namespace: app}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      hostUsers: false
      securityContext:
        runAsUser: 0
        seccompProfile: {type: RuntimeDefault}
        sysctls: [{name: net.ipv4.tcp_notsent_lowat, value: "16384"}]
      containers:
      - name: a
        image: x
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
        resources: {limits: {cpu: 1, memory: 1Gi}}
`;

const NOTE = 'Pod Security judged at v1.37, the newest policy ztaudit knows: the cluster version is unknown; set cluster.version (or --cluster-version)';
const ENFORCED = 'pod-security.pod-violates-enforced-level';

interface Report { run: { cluster: { version?: string }; notes?: string[] }; findings: Array<{ check: string; severity: string; resource: { name: string }; message: string }> }

function setUp(config?: string): { dir: string; cli: CliIO; err: () => string } {
  const dir = mkdtempSync(join(tmpdir(), 'zt-cluster-version-'));
  writeFileSync(join(dir, 'all.yaml'), MANIFESTS);
  if (config !== undefined) writeFileSync(join(dir, 'ztaudit.yaml'), config);
  const err: string[] = [];
  return { dir, cli: { stdout: () => {}, stderr: (t) => err.push(t), env: {}, isTTY: false, cwd: dir }, err: () => err.join('') };
}

async function run(t: ReturnType<typeof setUp>, ...args: string[]): Promise<{ code: number; report: Report }> {
  const code = await main(['run', ...args, '--out', join(t.dir, 'out'), '--history', 'none', '--no-notify', '--format', 'json', '-q'], t.cli);
  return { code, report: code === 2 ? (undefined as unknown as Report) : JSON.parse(readFileSync(join(t.dir, 'out', 'report.json'), 'utf8')) };
}

describe('the cluster version of a manifests run', () => {
  it('unknown: judged at the newest policy, and the run says so', async () => {
    const t = setUp();
    const { code, report } = await run(t, '--manifests', 'all.yaml');
    expect(code).toBe(0);
    expect(report.findings.filter((f) => f.check === ENFORCED)).toEqual([]);
    expect(report.run.notes).toContain(NOTE);
  });

  it('cluster.version v1.34.2 in the config: the 1.34 rules apply, a high finding and no note', async () => {
    const t = setUp('cluster:\n  version: v1.34.2\n');
    const { code, report } = await run(t, '--manifests', 'all.yaml');
    expect(code).toBe(0);
    expect(report.run.cluster.version).toBe('v1.34.2');
    const f = report.findings.find((x) => x.check === ENFORCED && x.resource.name === 'rootish');
    expect(f?.severity).toBe('high');
    expect(f?.message).toContain('"restricted:latest (v1.34)"');
    expect(f?.message).toContain('forbidden sysctls (net.ipv4.tcp_notsent_lowat)');
    expect(f?.message).toContain('runAsUser=0');
    expect(report.run.notes ?? []).not.toContain(NOTE);
  });

  it('--cluster-version overrides the config', async () => {
    const t = setUp('cluster:\n  version: v1.37.0\n');
    const { report } = await run(t, '--manifests', 'all.yaml', '--cluster-version', 'v1.34');
    expect(report.findings.find((x) => x.check === ENFORCED)?.severity).toBe('high');
  });

  it('a malformed version is a one-line error naming the key (or the flag)', async () => {
    const t = setUp('cluster:\n  version: "1.x"\n');
    expect((await run(t, '--manifests', 'all.yaml')).code).toBe(2);
    expect(t.err().trim().split('\n')).toHaveLength(1);
    expect(t.err()).toMatch(/ztaudit\.yaml.*cluster\.version/);
    const u = setUp();
    expect((await run(u, '--manifests', 'all.yaml', '--cluster-version', 'latest')).code).toBe(2);
    expect(u.err()).toMatch(/^ztaudit: --cluster-version: "latest" is not the Kubernetes version v1\.N or v1\.N\.P/);
  });

  it('a live snapshot knows its version: no note, and a different --cluster-version is not used', async () => {
    const t = setUp();
    const parsed = parseManifestText(MANIFESTS, 'all.yaml');
    writeSnapshot(join(t.dir, 'live.json.gz'), snapshotFromObjects(parsed.objects, { origin: 'live', clusterName: 'prod', clusterVersion: 'v1.34.1' }));
    const { report } = await run(t, '--snapshot', 'live.json.gz', '--cluster-version', 'v1.37.0');
    expect(report.run.cluster.version).toBe('v1.34.1');
    expect(report.run.notes ?? []).not.toContain(NOTE);
    expect(report.findings.find((x) => x.check === ENFORCED)?.severity).toBe('high');
    expect(t.err()).toContain('--cluster-version v1.37.0 is not used: the source says the cluster runs v1.34.1');
  });

  it('a snapshot written from manifests without a version, read with --cluster-version: the note follows the version used', async () => {
    const t = setUp();
    expect(await main(['snapshot', '--manifests', 'all.yaml', '-o', 'unknown.json.gz', '-q'], t.cli)).toBe(0);
    const given = await run(t, '--snapshot', 'unknown.json.gz', '--cluster-version', 'v1.34.2');
    expect(given.report.run.cluster.version).toBe('v1.34.2');
    expect(given.report.run.notes ?? []).not.toContain(NOTE);
    expect(given.report.findings.find((x) => x.check === ENFORCED)?.message).toContain('"restricted:latest (v1.34)"');
    // Read again with no version: still unknown, said once, not once per reading.
    const untold = await run(t, '--snapshot', 'unknown.json.gz');
    expect(untold.report.run.notes?.filter((n) => n === NOTE)).toEqual([NOTE]);
  });

  // PodSecurity feature gate: alpha (off by default) in 1.22, beta (on) in 1.23, GA in 1.25
  // (https://kubernetes.io/docs/reference/command-line-tools-reference/feature-gates-removed/,
  // "PodSecurity"; https://kubernetes.io/docs/concepts/security/pod-security-admission/).
  const MISSING = 'pod-security.enforce-missing';
  interface Checks { checks: Array<{ id: string; status: string; excluded?: string }> }
  const status = (r: Report, id: string) => (r as unknown as Checks).checks.find((c) => c.id === id);

  it('v1.21: before Pod Security Admission the enforce label is not a pass, and no level is called enforced', async () => {
    const t = setUp();
    const { report } = await run(t, '--manifests', 'all.yaml', '--cluster-version', 'v1.21.14');
    expect(status(report, MISSING)?.status).toBe('fail');
    const f = report.findings.find((x) => x.check === MISSING && x.resource.name === 'app');
    expect(f?.message).toContain('Kubernetes v1.21 has no Pod Security Admission');
    expect(f?.message).toContain('PodSecurityPolicy, which ztaudit does not read');
    expect(report.findings.filter((x) => x.check === ENFORCED)).toEqual([]);
    expect(report.findings.some((x) => x.message.includes('enforced level'))).toBe(false);
    expect(status(report, ENFORCED)?.excluded).toContain('no workload was judged at an enforced level');
  });

  it('v1.22: the PodSecurity feature gate is alpha and off by default', async () => {
    const t = setUp();
    const { report } = await run(t, '--manifests', 'all.yaml', '--cluster-version', 'v1.22.17');
    expect(status(report, MISSING)?.status).toBe('fail');
    expect(report.findings.find((x) => x.check === MISSING)?.message).toContain('PodSecurity feature gate is alpha and off by default');
  });

  it('v1.23: the label is enforced, as before', async () => {
    const t = setUp();
    const { report } = await run(t, '--manifests', 'all.yaml', '--cluster-version', 'v1.23.0');
    expect(status(report, MISSING)?.status).toBe('pass');
    expect(report.findings.find((x) => x.check === ENFORCED)?.message).toContain('"restricted:latest (v1.23)"');
  });

  it('a version newer than the newest policy known: the run says it is judged at v1.37', async () => {
    const t = setUp();
    const { report } = await run(t, '--manifests', 'all.yaml', '--cluster-version', 'v1.99.0');
    expect(report.run.notes).toContain('Pod Security judged at v1.37, the newest policy ztaudit knows: the cluster runs v1.99.0');
    expect(status(report, MISSING)?.status).toBe('pass');
  });
});
