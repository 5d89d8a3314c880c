// The audit computes each report section as the area whose models it reads ends, then drops
// the models no later area reads (src/engine/audit.ts oneByOne, src/analysis/details.ts).
// What a user sees must not depend on that: the sections and notes equal what the analyses
// give when asked once at the end (as serve --watch asks), no model is built twice in one
// audit (a model dropped while still read would be), and none outlives the audit.
import { describe, expect, it } from 'vitest';
import { generateCluster, SIZES } from '../../../bench/generate.ts';
import { CHECKS } from '../../../checks/index.ts';
import { runDetails, runNotes } from '../../../src/analysis/details.ts';
import { modelBuilds, modelsAlive } from '../../../src/analysis/memo.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';

const now = new Date('2026-11-26T02:00:00Z');
const builds = () => new Map(modelBuilds().map((m) => [m.label, m.builds]));

describe('report sections computed as their area ends', () => {
  const config = defaultConfig();
  const cluster = (): Snapshot => generateCluster(SIZES.S, 1);

  it('equal the sections and notes computed at the end, on a fresh context', () => {
    const snapshot = cluster();
    const { report } = auditSnapshot({ snapshot, config, checks: CHECKS, now, startedAt: now, runId: 'staged', details: runDetails, notes: runNotes });
    // The bench's S cluster fills every section: an empty one would prove nothing.
    expect(report.details.rbac?.breadth.length).toBeGreaterThan(0);
    expect(report.details.network?.exposure.length).toBeGreaterThan(0);
    expect(report.details.mtls?.workloads.length).toBeGreaterThan(0);
    expect(report.details.mtls?.l4WithoutL7?.length).toBeGreaterThan(0);

    const fresh = { snapshot: cluster(), config, now };
    expect(JSON.stringify(report.details)).toBe(JSON.stringify(runDetails(fresh)));
    expect(report.run.notes).toEqual([...fresh.snapshot.notes, ...runNotes(fresh)]);
  });

  it('builds each model once per audit and keeps none after it', () => {
    const snapshot = cluster();
    const before = builds();
    auditSnapshot({ snapshot, config, checks: CHECKS, now, startedAt: now, runId: 'staged', details: runDetails, notes: runNotes });
    const rebuilt = modelBuilds().filter((m) => m.builds - (before.get(m.label) ?? 0) > 1);
    expect(rebuilt).toEqual([]);
    expect(modelsAlive({ snapshot })).toEqual([]);
  });

  it('has dropped the mesh models before the RBAC and Pod Security checks run (mtls runs right after tls)', () => {
    // At 150,000 pods the mesh models are ~66 MiB (docs/performance.md, the twenty-sixth
    // session) that stayed alive through RBAC and Pod Security while mtls ran last.
    const snapshot = cluster();
    const alive = new Map<string, string[]>();
    const watched = CHECKS.map((c) => ({
      ...c,
      evaluate: (ctx: Parameters<typeof c.evaluate>[0]) => {
        if (!alive.has(c.area)) alive.set(c.area, modelsAlive(ctx).map((m) => m.label));
        return c.evaluate(ctx);
      },
    }));
    const { report } = auditSnapshot({ snapshot, config, checks: watched, now, startedAt: now, runId: 'staged', details: runDetails, notes: runNotes });
    expect(report.details.mtls?.workloads.length).toBeGreaterThan(0);
    // The mesh models were alive when the mtls checks began (built by network and tls) ...
    expect(alive.get('mtls')?.filter((l) => l.startsWith('src/analysis/mesh/')).length).toBeGreaterThan(0);
    // ... and none is when RBAC or Pod Security begins.
    expect(alive.get('rbac')?.filter((l) => l.startsWith('src/analysis/mesh/'))).toEqual([]);
    expect(alive.get('pod-security')?.filter((l) => l.startsWith('src/analysis/mesh/'))).toEqual([]);
  });

  it('serve --watch recomputing one section gets the same one', () => {
    const ctx = { snapshot: cluster(), config, now };
    const whole = runDetails(ctx);
    const again = { snapshot: cluster(), config, now };
    expect(runDetails(again, new Set(['mtls']))).toEqual({ mtls: whole.mtls });
    expect(runDetails(again, new Set(['network', 'rbac']))).toEqual({ rbac: whole.rbac, network: whole.network });
  });
});
