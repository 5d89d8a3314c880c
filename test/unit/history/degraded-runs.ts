// The demo cluster audited through the pipeline into a store, with LimitRanges forbidden or not:
// what degraded-carry-store.test.ts and the postgres tier's degraded-carry.test.ts store.
import { join } from 'node:path';
import { CHECKS } from '../../../checks/index.ts';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { loadConfig } from '../../../src/config/load.ts';
import type { RunStore } from '../../../src/history/run-store.ts';
import { runPipeline } from '../../../src/pipeline/pipeline.ts';
import type { RunReport } from '../../../src/run/types.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { diffStep } from '../pipeline/diff-step.ts';

const ROOT = join(import.meta.dirname, '../../..');
export const LIMITS_CHECK = 'pod-security.resource-limits-missing';
const { config: demoConfig } = loadConfig(join(ROOT, 'examples/ztaudit.demo.yaml'), ROOT, new Set(CHECKS.map((c) => c.id)));
const config = { ...demoConfig, regression: { ...demoConfig.regression, newFindingSeverity: 'medium' as const } };
const demo = loadManifests([join(ROOT, 'examples/demo-cluster')], { clusterName: 'demo', clusterVersion: 'v1.36.3' });
const quiet = { info: () => {}, warn: () => {}, progress: () => {} };

/** One run of the pipeline into the store `open` opens, `now` its clock (minutes apart: tls.certificate-expiring reads it). */
export async function auditDemo(open: () => Promise<RunStore>, limitRangesForbidden: boolean, now: () => Date): Promise<RunReport> {
  const snapshot: Snapshot = structuredClone(demo);
  if (limitRangesForbidden) {
    snapshot.coverage.limitranges = { status: 'forbidden', detail: 'list limitranges (refused in test)' };
    delete snapshot.resources.limitranges;
  }
  const store = await open();
  try {
    return (await runPipeline(config, CHECKS, {
      collect: async () => snapshot,
      store,
      diff: diffStep(config.regression),
      render: async () => [],
      notifiers: [],
      log: quiet,
      now,
    })).report;
  } finally {
    await store.close();
  }
}
