// Reads the upstream Pod Security fixtures (../shared/conformance/pod-security) for the
// conformance test and for the cluster tier, which submits them to a real apiserver's
// PodSecurity admission and compares its verdicts with evaluatePod's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { conformanceData } from '../helpers/ci.ts';

/** The upstream fixtures, or null after a loud skip (outside CI; in CI their absence fails). */
export const PSS_CONFORMANCE_DIR = conformanceData('pod-security');

export interface PssCase {
  /** e.g. 'restricted/v1.35/fail/procmount_restricted0.yaml' */
  path: string;
  level: 'baseline' | 'restricted';
  version_dir: string;
  /** Every policy version ('v1.N') this fixture's verdict holds for. */
  applies_to_versions: string[];
  expected: 'allowed' | 'denied';
  /** The upstream check the pod was built to break (null for base pods). */
  check_id: string | null;
}

export interface PssCheckInfo {
  check_id: string;
  level: 'baseline' | 'restricted';
  overrides_check: string | null;
  denial_message_contains: string;
}

export interface PssConformance {
  dir: string;
  cases: PssCase[];
  checks: PssCheckInfo[];
  caseCount: number;
  /** The pod of a case: a v1 Pod without namespace, parsed from its YAML file. */
  pod(c: PssCase): Record<string, unknown>;
}

export function loadPssConformance(dir: string): PssConformance {
  const indexFile = join(dir, 'index.json');
  const index = JSON.parse(readFileSync(indexFile, 'utf8')) as { cases: PssCase[]; checks: PssCheckInfo[]; case_count: number };
  return {
    dir,
    cases: index.cases,
    checks: index.checks,
    caseCount: index.case_count,
    pod: (c) => parse(readFileSync(join(dir, c.path), 'utf8')) as Record<string, unknown>,
  };
}
