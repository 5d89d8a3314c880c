// The demo cluster audited twice, as the README shows it: a baseline a day old without most of
// its RBAC bindings, then today. Used by the e2e report tests and the cross-format counts test.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHECKS } from '../../../checks/index.ts';
import { runDetails } from '../../../src/analysis/details.ts';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { loadConfig } from '../../../src/config/load.ts';
import type { Config } from '../../../src/config/types.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import type { RunReport, TrendPoint } from '../../../src/run/types.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface DemoRun { report: RunReport; previous: RunReport; trend: TrendPoint[]; config: Config }

/**
 * `change` edits today's snapshot (e.g. deletes a policy) before it is audited, `baselineChange`
 * the day before's. `live`: both
 * snapshots as `ztaudit snapshot` saves a live cluster's (source snapshot, origin live), which
 * the diff may call a mesh removed in (a manifests directory never is).
 */
export function demoRun(opts: { change?: (s: Snapshot) => void; baselineChange?: (s: Snapshot) => void; baselineRbac?: boolean; live?: boolean } = {}): DemoRun {
  const dir = join(ROOT, 'examples/demo-cluster');
  const { config } = loadConfig(join(ROOT, 'examples/ztaudit.demo.yaml'), ROOT, new Set(CHECKS.map((c) => c.id)));
  const now = new Date('2026-11-26T02:00:00Z');
  const before = new Date('2026-11-25T02:00:00Z');
  const snapshot = loadManifests([dir], { clusterName: 'demo-shop-prod', clusterVersion: 'v1.36.3' });
  const baseline = loadManifests([dir], { clusterName: 'demo-shop-prod', clusterVersion: 'v1.36.3' });
  if (opts.baselineRbac !== true) {
    for (const key of ['clusterrolebindings', 'rolebindings'] as const) baseline.resources[key] = (baseline.resources[key] ?? []).slice(0, 1);
  }
  if (opts.live === true) for (const s of [snapshot, baseline]) Object.assign(s, { source: 'snapshot', origin: 'live' });
  opts.change?.(snapshot);
  opts.baselineChange?.(baseline);
  const previous = auditSnapshot({ snapshot: baseline, config, checks: CHECKS, now: before, startedAt: before, runId: 'run-20261125-0200', details: runDetails }).report;
  const out = auditSnapshot({ snapshot, config, checks: CHECKS, now, startedAt: now, runId: 'run-20261126-0200', details: runDetails });
  const report = out.report;
  report.run.finishedAt = '2026-11-26T02:00:04.000Z';
  previous.run.finishedAt = '2026-11-25T02:00:04.000Z';
  report.diff = diffRuns(previous, report, { rules: config.regression, expiredWaivers: out.expiredWaivers });
  const trend: TrendPoint[] = [];
  for (let i = 20; i >= 1; i--) {
    const drift = (k: number) => Math.max(0, Math.min(100, Math.round((78 + 9 * Math.sin(i / 3 + k) - i * 0.4) * 10) / 10));
    trend.push({ id: `run-${i}`, startedAt: new Date(now.getTime() - i * 86_400_000).toISOString(), overall: drift(0), areas: { network: drift(1), tls: drift(2), rbac: drift(3), 'pod-security': drift(4), mtls: drift(5) } });
  }
  trend[trend.length - 1] = { id: previous.run.id, startedAt: previous.run.startedAt, overall: previous.score.overall, areas: previous.score.areas };
  return { report, previous, trend, config };
}
