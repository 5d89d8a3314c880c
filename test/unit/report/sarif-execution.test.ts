// report.sarif's invocations[0].executionSuccessful, as SARIF 2.1.0 (errata01) has it: true when
// the tool succeeded (§3.20.14); a toolExecutionNotification of level "error" means the run failed
// (§3.20.21), and "error" is a condition that halted the analysis or made its results incorrect or
// incomplete, "warning" one after which "the results that were generated are probably valid"
// (§3.58.6). GitHub code scanning answers an upload whose execution was not successful as a failed
// analysis ("unsuccessful execution": github/codeql-action src/upload-lib.ts), so a run that only
// could not read a kind must not say so.
import { describe, expect, it } from 'vitest';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import type { Check } from '../../../src/engine/types.ts';
import { renderSarif, type SarifLog } from '../../../src/report/sarif.ts';
import type { RunReport } from '../../../src/run/types.ts';
import type { KubeObject, Snapshot } from '../../../src/snapshot/types.ts';
import { fakeChecks } from './fixtures.ts';

const AT = new Date('2026-11-26T02:00:00Z');
const OBJECTS: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { open: 'true' } } },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { namespace: 'shop', name: 'deployer', labels: { wide: 'true' } } },
];
const check = (id: string): Check => fakeChecks.find((c) => c.id === id)!;
/** Checks whose every input the objects above hold: a run of these alone is a full run. */
const EVALUATED = [check('fake.rbac-wide-serviceaccount'), check('fake.network-namespace-open')];

function audit(checks: readonly Check[], edit: (s: Snapshot) => void = () => {}): RunReport {
  const snapshot = snapshotFromObjects(OBJECTS, { clusterName: 'prod', collectedAt: AT.toISOString() });
  edit(snapshot);
  return auditSnapshot({ snapshot, config: defaultConfig(), checks, now: AT, runId: 'run-20261126-0200', startedAt: AT }).report;
}

interface Invocation { executionSuccessful: boolean; toolExecutionNotifications: Array<{ level: string; message: { text: string } }> }
const invocationOf = (report: RunReport): Invocation => ((JSON.parse(renderSarif(report)) as SarifLog).runs[0].invocations as Invocation[])[0];

describe('report.sarif executionSuccessful (SARIF 2.1.0 §3.20.14, §3.20.21, §3.58.6)', () => {
  it('is true for a full run, with no notification', () => {
    const report = audit(EVALUATED);
    expect(report.checks.map((c) => c.status)).toEqual(['fail', 'fail']);
    expect(invocationOf(report)).toMatchObject({ executionSuccessful: true, toolExecutionNotifications: [] });
  });

  it('is true for a run that could not read a kind (forbidden), its check a warning: GitHub code scanning takes the upload', () => {
    const report = audit(EVALUATED, (s) => {
      s.coverage.networkpolicies = { status: 'forbidden', detail: 'list networkpolicies: 403' };
      delete s.resources.networkpolicies;
    });
    expect(report.checks.map((c) => c.status)).toEqual(['fail', 'not-evaluated']);
    const invocation = invocationOf(report);
    expect(invocation.executionSuccessful).toBe(true);
    expect(invocation.toolExecutionNotifications.map((n) => n.level)).toEqual(['warning']);
    expect(invocation.toolExecutionNotifications[0].message.text).toMatch(/^fake\.network-namespace-open not-evaluated: .*forbidden/);
  });

  it('is false for a run in which a check crashed, its notification an error: the run failed', () => {
    const report = audit([...EVALUATED, check('fake.pod-security-throws')]);
    expect(report.checks.map((c) => c.status)).toEqual(['fail', 'fail', 'error']);
    const invocation = invocationOf(report);
    expect(invocation.executionSuccessful).toBe(false);
    expect(invocation.toolExecutionNotifications).toEqual([expect.objectContaining({ level: 'error', message: { text: 'fake.pod-security-throws error: check failed: boom' } })]);
  });
});
