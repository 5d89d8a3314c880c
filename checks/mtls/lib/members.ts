// A mesh finding over many workloads lists them by their most stable name (stableRefOf: a
// CronWorkflow's Workflows, a Pipeline's TaskRuns, a generateName prefix), each once, so a
// workload made anew each night under a new generated name is the same member, not a widening.
import type { ResourceRef } from '../../../src/base/vocabulary.ts';
import { refString, stableRefOf } from '../../../src/analysis/workloads.ts';

/** The extent members of `refs`: their stable names, each once, in order. */
export function workloadMembers(refs: Iterable<ResourceRef>): string[] {
  const out = new Set<string>();
  for (const r of refs) out.add(refString(stableRefOf(r)));
  return [...out];
}
