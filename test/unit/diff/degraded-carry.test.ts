// The last run that read every best-effort input of a check stays findable however many runs
// missed one since, and whether or not retention kept it: each run that judged the check without
// an input carries that run's severities and summary (diff.fullInputCarry). Before, the next
// complete run walked back FULL_INPUT_WALK (10) stored runs at most: after 12 runs with
// LimitRanges forbidden (a 403 on the list: the authorizer refusing it,
// https://kubernetes.io/docs/reference/access-authn-authz/authorization/; a LimitRange supplies
// default limits to containers without them, https://kubernetes.io/docs/concepts/policy/limit-range/,
// so pod-security.resource-limits-missing reads it when it can), or once retention evicted the
// complete run, diff.fullInputBaselines was null and a real escalation since was not judged at
// all. (LimitRanges, not Certificates: those make the certificate checks not evaluated, and the
// walk then reads back to run 1 for them anyway.)
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { loadConfig } from '../../../src/config/load.ts';
import type { Config } from '../../../src/config/types.ts';
import { FULL_INPUT_WALK, findBaseline } from '../../../src/diff/baseline.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import type { RunDiff, RunReport } from '../../../src/run/types.ts';
import type { KindKey } from '../../../src/snapshot/kinds.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';

const ROOT = join(import.meta.dirname, '../../..');
const NOW = new Date('2026-11-26T00:00:00Z');
// Hours apart: tls.certificate-expiring reads the clock, and a fortnight brings a certificate nearer expiry.
const hours = (n: number) => new Date(NOW.getTime() + n * 3_600_000);
const ID = 'pod-security.resource-limits-missing';

function demo(): { snapshot: Snapshot; config: Config } {
  const { config: demoConfig } = loadConfig(join(ROOT, 'examples/ztaudit.demo.yaml'), ROOT, new Set(CHECKS.map((c) => c.id)));
  // Its findings are medium at most: alerted on from medium up.
  const config: Config = { ...demoConfig, regression: { ...demoConfig.regression, newFindingSeverity: 'medium' } };
  const snapshot = loadManifests([join(ROOT, 'examples/demo-cluster')], { clusterName: 'demo', clusterVersion: 'v1.36.3' });
  return { snapshot, config };
}
function forbid(snapshot: Snapshot, kind: KindKey): Snapshot {
  const s = structuredClone(snapshot);
  s.coverage[kind] = { status: 'forbidden', detail: `list ${kind} (refused in test)` };
  delete s.resources[kind];
  return s;
}
const audit = (snapshot: Snapshot, config: Config, runId: string, at: Date): RunReport =>
  auditSnapshot({ snapshot, config, checks: CHECKS, now: at, startedAt: at, runId }).report;
async function* newestFirst(runs: RunReport[]) { for (const r of runs) yield r; }

/** Diffs `current` as the pipeline does (src/pipeline/pipeline.ts), with what the walk found. */
async function diffed(stored: RunReport[], current: RunReport, config: Config): Promise<RunDiff> {
  const b = (await findBaseline(newestFirst(stored), current))!;
  return diffRuns(b.report, current, { rules: config.regression, expiredWaivers: [], olderRuns: b.olderRuns, notApplicableRuns: b.notApplicableRuns, fullInputRuns: b.fullInputRuns, fullInputReport: b.fullInputReport, fullInputCarry: b.fullInputCarry });
}

/** Run 1 (complete; `change` may alter it), then `n` runs without the LimitRanges, each diffed and stored as written (JSON). Newest first. */
async function history(n: number, change: (r: RunReport) => RunReport = (r) => r) {
  const { snapshot, config } = demo();
  const stored: RunReport[] = [JSON.parse(JSON.stringify(change(audit(structuredClone(snapshot), config, 'run-1', hours(0))))) as RunReport];
  for (let i = 2; i <= n + 1; i++) {
    const partial = audit(forbid(snapshot, 'limitranges'), config, `run-${i}`, hours(i));
    partial.diff = await diffed(stored, partial, config);
    stored.unshift(JSON.parse(JSON.stringify(partial)) as RunReport);
  }
  return { snapshot, config, stored };
}

/** Run 1 as if its first medium finding of the check had been low then (the cluster changed since). */
let lowered = '';
const firstLow = (r: RunReport): RunReport => {
  const first = r.findings.find((f) => f.check === ID && f.severity === 'medium')!;
  lowered = `escalated low → medium: ${ID} on ${first.resource.kind} ${first.resource.namespace}/${first.resource.name} since run run-1, the last to read all its inputs`;
  return { ...r, findings: r.findings.map((f) => (f === first ? { ...f, severity: 'low' as const } : f)) };
};

describe('the last run that read every input is carried by the runs that could not', () => {
  it(`12 runs without the LimitRanges (more than ${FULL_INPUT_WALK}): the next complete run is still judged against run 1`, async () => {
    const { snapshot, config, stored } = await history(12);
    expect(stored).toHaveLength(13);
    // Each degraded run carries run 1: one check's findings of one run, not a list growing with the runs.
    const carried = stored.slice(0, 12).map((r) => r.diff?.fullInputCarry?.[ID]?.runId);
    expect(carried).toEqual(Array(12).fill('run-1'));
    expect(JSON.stringify(stored[0].diff!.fullInputCarry)).toBe(JSON.stringify(stored[11].diff!.fullInputCarry));
    const again = audit(structuredClone(snapshot), config, 'run-14', hours(14));
    const d = await diffed(stored, again, config);
    expect(d.fullInputBaselines).toEqual({ [ID]: 'run-1' });
    expect(d.regressionReasons).toEqual([]);
  });

  it('12 runs without the LimitRanges: a real escalation since run 1 is still reported', async () => {
    const { snapshot, config, stored } = await history(12, firstLow);
    const again = audit(structuredClone(snapshot), config, 'run-14', hours(14));
    const d = await diffed(stored, again, config);
    expect(d.regressionReasons).toContain(lowered);
  });

  it('run 1 evicted by retention: the degraded run that is left still carries it', async () => {
    const { snapshot, config, stored } = await history(1, firstLow);
    const kept = stored.filter((r) => r.run.id !== 'run-1');
    const again = audit(structuredClone(snapshot), config, 'run-3', hours(3));
    const d = await diffed(kept, again, config);
    expect(d.fullInputBaselines).toEqual({ [ID]: 'run-1' });
    expect(d.regressionReasons).toContain(lowered);
  });

  it('a carried entry of the wrong shape (a hand-edited store) is passed over: the walk reads older runs as before', async () => {
    const { snapshot, config, stored } = await history(1, firstLow);
    (stored[0].diff!.fullInputCarry![ID] as unknown as { findings: unknown }).findings = [['fp', 'urgent', false]];
    const again = audit(structuredClone(snapshot), config, 'run-3', hours(3));
    const d = await diffed(stored, again, config);
    expect(d.fullInputBaselines).toEqual({ [ID]: 'run-1' });
    const evicted = await diffed(stored.slice(0, 1), again, config);
    expect(evicted.fullInputBaselines).toEqual({ [ID]: null });
  });
});
