// Test helpers: YAML manifests -> snapshot / audit context, and running one check.
import { parseAllDocuments } from 'yaml';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig, type Config } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Check } from '../../../src/engine/types.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import type { KubeObject, Snapshot } from '../../../src/snapshot/types.ts';

export function snap(yaml: string): Snapshot {
  const objects = parseAllDocuments(yaml).map((d) => d.toJS() as KubeObject).filter((o) => o && typeof o === 'object');
  return snapshotFromObjects(objects);
}

export function ctxOf(yaml: string, config: Partial<Config> = {}): AuditContext {
  return { snapshot: snap(yaml), config: { ...defaultConfig(), ...config }, now: new Date('2026-01-01T00:00:00Z') };
}

export function run(check: Check, ctx: AuditContext): Verdict[] {
  return check.evaluate(ctx);
}

/** A bare pod with labels and optional named ports. */
export function pod(ns: string, name: string, labels: Record<string, string>, ports: Array<{ name?: string; containerPort: number; protocol?: string }> = [], extra = ''): string {
  const portYaml = ports.length ? `\n    ports:\n${ports.map((p) => `    - {${p.name ? `name: ${p.name}, ` : ''}containerPort: ${p.containerPort}${p.protocol ? `, protocol: ${p.protocol}` : ''}}`).join('\n')}` : '';
  const labelYaml = Object.keys(labels).length ? `\n  labels: {${Object.entries(labels).map(([k, v]) => `${k}: ${v}`).join(', ')}}` : '';
  return `---
apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${ns}${labelYaml}
spec:${extra}
  containers:
  - name: c
    image: nginx${portYaml}
`;
}

export function ns(name: string, labels: Record<string, string> = {}): string {
  return `---
apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
  labels: {${Object.entries(labels).map(([k, v]) => `${k}: ${v}`).join(', ')}}
`;
}

export function policy(namespace: string, name: string, spec: string): string {
  return `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
${spec.replace(/^\n/, '').split('\n').map((l) => `  ${l}`).join('\n')}
`;
}
