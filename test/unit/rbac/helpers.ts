// Builds snapshots from inline YAML for the RBAC tests and runs one check over them.
import { parseAllDocuments } from 'yaml';
import { RECOGNISED_BINDINGS, RECOGNISED_ROLES } from '../../../src/analysis/rbac/bootstrap.ts';
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

const rulesYaml = (rules: readonly object[]) => rules
  .map((x) => JSON.stringify(Object.fromEntries(Object.entries(x).filter(([, v]) => Array.isArray(v) && v.length > 0))))
  .join(', ');

/** Every role and binding Kubernetes v1.36.3 and kubeadm create, as a live cluster holds them. */
export const DEFAULT_CLUSTER = RECOGNISED_ROLES.map((x) => `---
apiVersion: ${RBAC}
kind: ${x.kind}
metadata: {name: "${x.name}"${x.namespace ? `, namespace: ${x.namespace}` : ''}}
rules: [${rulesYaml(x.rules)}]
`).join('') + RECOGNISED_BINDINGS.map((b) => `---
apiVersion: ${RBAC}
kind: ${b.kind}
metadata: {name: "${b.name}"${b.namespace ? `, namespace: ${b.namespace}` : ''}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ${b.roleRef.kind}, name: "${b.roleRef.name}"}
subjects: [${b.subjects.map((s) => JSON.stringify(s)).join(', ')}]
`).join('');
