// The whole catalog keeps its verdicts on a lean snapshot: the bench's S cluster, given what an
// API server adds to every object (managedFields, kubectl's last-applied copy, unrelated
// annotations, status conditions), is audited once as it stands and once as the snapshot
// reader loads it (object by object, slimmed); the two report.json files must be identical
// apart from run ids and times, as scripts/compare-reports.ts judges them.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCluster, SIZES } from '../../../bench/generate.ts';
import { CHECKS } from '../../../checks/index.ts';
import { runDetails } from '../../../src/analysis/details.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { writeReportJson } from '../../../src/report/render.ts';
import { readSnapshot, writeSnapshot } from '../../../src/snapshot/io.ts';
import type { KubeObject, Snapshot } from '../../../src/snapshot/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'ztaudit-lean-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function asServed(o: KubeObject, i: number): void {
  const meta = (o.metadata ??= {}) as Record<string, unknown> & NonNullable<KubeObject['metadata']>;
  meta.annotations = { ...(meta.annotations ?? {}), 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(o), 'example.com/build': String(i) };
  meta.managedFields = [{ manager: 'kube-controller-manager', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': {} } }];
  meta.resourceVersion = String(1000 + i);
  o.status = { ...(o.status ?? {}), conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-11-25T00:00:00Z' }], observedGeneration: 1 };
}

async function reportOf(snapshot: Snapshot, name: string): Promise<string> {
  const now = new Date('2026-11-26T02:00:00Z');
  // The run id is replaced everywhere in the file by compare-reports: one no prose contains.
  const { report } = auditSnapshot({ snapshot, config: defaultConfig(), checks: CHECKS, now, startedAt: now, clock: () => now, runId: `20261126T020000Z-${name}-run`, details: runDetails });
  mkdirSync(join(dir, name));
  const file = join(dir, name, 'report.json');
  await writeReportJson(report, file);
  return file;
}

describe('verdicts on the lean snapshot (bench size S)', () => {
  it('report.json is identical for the whole objects and the slimmed ones read back', async () => {
    const whole = generateCluster(SIZES.S, 1);
    let i = 0;
    for (const list of Object.values(whole.resources)) for (const o of list ?? []) asServed(o, i++);
    const file = join(dir, 'S.snap.json.gz');
    writeSnapshot(file, whole);
    const lean = await readSnapshot(file);
    // The reader slimmed: no pod kept managedFields, nor of its conditions more than Ready's type and status.
    expect(lean.resources.pods?.some((p) => 'managedFields' in (p.metadata ?? {}) || JSON.stringify(p.status?.conditions) !== '[{"type":"Ready","status":"True"}]')).toBe(false);
    const before = await reportOf({ ...whole, source: 'snapshot' }, 'whole');
    const after = await reportOf(lean, 'lean');
    const r = spawnSync(process.execPath, ['scripts/compare-reports.ts', before, after], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/^identical: report\.json/);
    expect(r.status).toBe(0);
  }, 120_000);
});
