// report.json, schemaVersion 1: the public machine contract. The JSON Schema in
// schemas/report.schema.json describes the same shape; a test validates produced reports.

import type { Area, CheckStatus, ResourceRef, Severity } from '../base/vocabulary.ts';
import type { ClusterInfo, CoverageEntry } from '../snapshot/types.ts';

export const REPORT_SCHEMA_VERSION = 1;

export interface WaiverRef {
  reason: string;
  owner: string;
  expires: string;
}

export interface Finding {
  fingerprint: string;
  check: string;
  area: Area;
  severity: Severity;
  resource: ResourceRef;
  message: string;
  controls: string[];
  evidence?: Record<string, unknown>;
  /** Objects the finding stems from (e.g. the role behind a grant); waivers may name them. */
  related?: ResourceRef[];
  waived: boolean;
  waiver?: WaiverRef;
}

export interface CheckSummary {
  id: string;
  area: Area;
  title: string;
  severity: Severity;
  controls: string[];
  remediation: string;
  evaluated: number;
  passed: number;
  failed: number;
  waived: number;
  status: CheckStatus;
  /** Why not evaluated / not applicable / error. */
  reason?: string;
}

export interface ScoreDelta {
  overall: number | null;
  areas: Record<Area, number | null>;
}

export interface BreadthEntry {
  subject: { kind: string; name: string; namespace?: string };
  breadth: number;
}

export interface RunDiff {
  previousRunId: string;
  previousStartedAt: string;
  new: string[];
  resolved: string[];
  persisting: number;
  scoreDelta: ScoreDelta;
  breadthGrowth: Array<{ subject: BreadthEntry['subject']; before: number; after: number; growthPercent: number }>;
  /** Checks evaluated in only one of the two runs: their findings are neither new nor resolved. */
  notComparable: string[];
  partial: boolean;
  regression: boolean;
  /** Why it is a regression, one line each. */
  regressionReasons: string[];
}

export interface NotificationOutcome {
  channel: 'slack' | 'email';
  status: 'sent' | 'skipped' | 'failed';
  detail?: string;
}

export interface WaiverStatus {
  check: string;
  resource: { kind?: string; namespace?: string; name?: string };
  reason: string;
  owner: string;
  expires: string;
  state: 'active' | 'expiring-soon' | 'expired' | 'unmatched';
  matched: number;
}

/** One stored run's scores, for the report's trend chart. */
export interface TrendPoint {
  id: string;
  startedAt: string;
  overall: number | null;
  areas: Record<Area, number | null>;
}

export interface RunReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  run: {
    id: string;
    startedAt: string;
    finishedAt: string;
    cluster: ClusterInfo;
    source: 'live' | 'manifests' | 'snapshot';
    coverage: Record<string, CoverageEntry>;
    toolVersion: string;
    checkCatalogVersion: string;
    notes: string[];
  };
  score: { overall: number | null; areas: Record<Area, number | null> };
  checks: CheckSummary[];
  findings: Finding[];
  diff: RunDiff | null;
  waivers: WaiverStatus[];
  details: {
    rbac?: { breadth: BreadthEntry[] };
    mtls?: { workloads: Array<Record<string, unknown>> };
    network?: { exposure: Array<Record<string, unknown>> };
  };
  notifications: NotificationOutcome[];
}
