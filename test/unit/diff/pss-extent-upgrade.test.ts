// The first run after an upgrade must not call a Pod Security finding that did not change
// widened, nor flag a regression: DESIGN.md, "fingerprint: stable across runs". A workload's own
// finding carried no extent before, and a generateName group's listed a host namespace by the
// check id alone ("hostNamespaces"); each lists its violations now, a host namespace by its
// field ("hostNamespaces:hostNetwork"), as upstream judges hostNetwork, hostPID and hostIPC each
// on its own (pod-security-admission policy/check_hostNamespaces.go). The fixture
// test/fixtures/upgrade/pss-extent-fields/old-run.jsonl is `ztaudit history export` of a run of
// manifests/ beside it stored by the ztaudit before that change (README there).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { captureIO } from '../../helpers/cli.ts';

const FIXTURE = join(import.meta.dirname, '../../fixtures/upgrade/pss-extent-fields');
const TARGET = 'pod-security.pod-violates-target';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zt-pss-extent-'));
  cpSync(join(FIXTURE, 'manifests'), join(dir, 'm'), { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(): Promise<{ code: number; report: RunReport }> {
  const code = await main(['run', '--manifests', 'm', '--cluster', 'demo', '--history', 'h.db', '--no-notify', '--format', 'json', '--out', 'o', '-q', '--fail-on', 'regression'], captureIO(dir).cli);
  return { code, report: JSON.parse(readFileSync(join(dir, 'o/report.json'), 'utf8')) as RunReport };
}

describe('Pod Security findings stored before their violations were listed per field, after an upgrade', () => {
  it('persist unwidened: no new, no resolved, no regression (exit 0 with --fail-on regression)', async () => {
    expect(await main(['history', 'import', '--history', 'h.db', '--file', join(FIXTURE, 'old-run.jsonl')], captureIO(dir).cli)).toBe(0);
    const old = JSON.parse(readFileSync(join(FIXTURE, 'old-run.jsonl'), 'utf8').split('\n')[1]!) as RunReport;
    // The stored run is as described: the Deployment's finding has no extent, the group's names the check id.
    const stored = old.findings.filter((f) => f.check === TARGET);
    expect(stored.find((f) => f.resource.kind === 'Deployment')?.extent).toBeUndefined();
    expect(stored.find((f) => f.resource.name === 'job-*')?.extent?.members).toContain('hostNamespaces');

    const { code, report } = await run();
    expect(code).toBe(0);
    // Both findings list their host namespaces by field now.
    expect(report.findings.find((f) => f.check === TARGET && f.resource.kind === 'Deployment')?.extent?.members).toContain('hostNamespaces:hostNetwork');
    expect(report.findings.find((f) => f.check === TARGET && f.resource.name === 'job-*')?.extent?.members).toEqual(expect.arrayContaining(['hostNamespaces:hostIPC', 'hostNamespaces:hostNetwork']));
    expect(report.diff).toMatchObject({ previousRunId: old.run.id, new: [], resolved: [], persisting: old.findings.length, regression: false, regressionReasons: [] });
    expect(report.diff?.widened).toBeUndefined();
  });

  it('the run after that tells one more host namespace, on the Deployment and the group alike', async () => {
    expect(await main(['history', 'import', '--history', 'h.db', '--file', join(FIXTURE, 'old-run.jsonl')], captureIO(dir).cli)).toBe(0);
    expect((await run()).code).toBe(0);
    const manifest = join(dir, 'm/app.yaml');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(/^(\s*)hostNetwork: true$/gm, '$1hostNetwork: true\n$1hostPID: true'));
    const { code, report } = await run();
    expect(code).toBe(1);
    expect(report.diff?.new).toEqual([]);
    expect(report.diff?.widened?.filter((w) => w.check === TARGET).map((w) => [w.resource.name, w.added])).toEqual([
      ['web', ['hostNamespaces:hostPID']],
      ['job-*', ['hostNamespaces:hostPID']],
    ]);
  });
});
