// A bare pod that names a waived workload as its controller owner (owner references can be set
// by hand, and the garbage collector keeps one naming an object that exists: "Owners and
// dependents", https://kubernetes.io/docs/concepts/overview/working-with-objects/owners-dependents/)
// is a new finding of its own: two `ztaudit run`s into one history, the second with the pod.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { captureIO } from '../../helpers/cli.ts';

const FIXTURE = join(import.meta.dirname, '../../fixtures/checks/pod-security.pod-violates-target/fail.owner-reference-spoofed.yaml');
const CHECK = 'pod-security.pod-violates-target';

interface Report {
  findings: Array<{ check: string; fingerprint: string; resource: { kind: string; namespace?: string; name: string }; severity: string; waived?: boolean; message: string }>;
  diff?: { new: string[]; regression: boolean; regressionReasons: string[] };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zt-spoofed-owner-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function audit(manifests: string, out: string): Promise<Report> {
  const io = captureIO(dir);
  const code = await main(['run', '--manifests', manifests, '--cluster', 'demo', '--history', 'h.db', '--config', 'zt.yaml', '--no-notify', '--out', out, '--format', 'json', '-q'], io.cli);
  expect(io.err()).toBe('');
  expect(code).toBe(0);
  return JSON.parse(readFileSync(join(dir, out, 'report.json'), 'utf8')) as Report;
}

describe('a pod naming a waived Deployment as its controller', () => {
  it('is a new high finding and a regression, and the Deployment\'s waived finding still counts only its own pod', async () => {
    // The fixture's documents without the bare pod (its last), then with it.
    const docs = readFileSync(FIXTURE, 'utf8').split(/^---\n/m);
    for (const [name, text] of [['r1', docs.slice(0, -1).join('---\n')], ['r2', docs.join('---\n')]] as const) {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'cluster.yaml'), text);
    }
    writeFileSync(join(dir, 'zt.yaml'), `waivers:\n  - check: ${CHECK}\n    resource: {kind: Deployment, namespace: monitoring, name: ebpf-agent}\n    reason: eBPF agent needs privileged\n    owner: platform@acme.example\n    expires: ${new Date(Date.now() + 180 * 86_400_000).toISOString().slice(0, 10)}\n`);
    const before = await audit('r1', 'o1');
    expect(before.findings.filter((f) => f.check === CHECK && f.resource.kind === 'Pod')).toEqual([]);

    const after = await audit('r2', 'o2');
    const backdoor = after.findings.find((f) => f.check === CHECK && f.resource.kind === 'Pod' && f.resource.name === 'debug-shell');
    expect(backdoor).toMatchObject({ severity: 'high', resource: { namespace: 'monitoring' } });
    expect(backdoor!.waived).toBeFalsy();
    expect(after.diff!.new).toContain(backdoor!.fingerprint);
    expect(after.diff!.regression).toBe(true);
    expect(after.diff!.regressionReasons).toContain(`new high finding: ${CHECK} on Pod monitoring/debug-shell`);
    const agent = after.findings.find((f) => f.check === CHECK && f.resource.kind === 'Deployment' && f.resource.name === 'ebpf-agent');
    expect(agent).toMatchObject({ waived: true });
    expect(agent!.message).toContain('1 of 1 pod violates');
  });
});
