// Builds snapshots from inline YAML for the RBAC tests and runs one check over them.
import { parseAllDocuments } from 'yaml';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig, type Config } from '../../../src/config/types.ts';
import type { Check } from '../../../src/engine/types.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import type { KubeObject, Snapshot } from '../../../src/snapshot/types.ts';

export function snap(yaml: string, clusterVersion = 'v1.36.3'): Snapshot {
  const objects = parseAllDocuments(yaml).map((d) => d.toJS()).filter(Boolean) as KubeObject[];
  return snapshotFromObjects(objects, { clusterVersion });
}

export function run(check: Check, snapshot: Snapshot, config: Config = defaultConfig()): Verdict[] {
  return [...check.evaluate({ snapshot, config, now: new Date('2026-11-26T00:00:00Z') })];
}

export function failing(verdicts: Verdict[]): string[] {
  return verdicts.filter((v) => v.status === 'fail').map((v) => `${v.resource.kind}:${v.resource.namespace ? `${v.resource.namespace}/` : ''}${v.resource.name}`).sort();
}

export const RBAC = 'rbac.authorization.k8s.io/v1';
