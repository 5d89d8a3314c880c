// The pipeline's diff step as ztaudit wires it (src/cli/wiring.ts): diffRuns with the given
// rules, every baseline option the pipeline hands in passed on whole, so a test's runs are
// diffed against the same per-check baseline (older runs, not-applicable runs, namespaces, the
// full-input baseline) as a user's.
import { diffRuns } from '../../../src/diff/diff.ts';
import type { Config } from '../../../src/config/types.ts';
import type { PipelineEdges } from '../../../src/pipeline/pipeline.ts';

export function diffStep(rules: Config['regression']): PipelineEdges['diff'] {
  return (previous, current, options) => diffRuns(previous, current, { ...options, rules });
}
