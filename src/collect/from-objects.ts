// Builds a Snapshot from plain objects (manifests, fixtures, synthetic clusters).
// Coverage: built-in kinds are 'ok' (the manifests are the whole truth); a custom kind is
// 'ok' when any object of it is present and 'absent' otherwise, as if its CRD were missing.

import { KINDS, kindForManifest, type KindKey } from '../snapshot/kinds.ts';
import { oneLine } from '../base/plain-text.ts';
import { specProblem } from '../snapshot/shape.ts';
import { IMPLICIT_NAMESPACE_ANNOTATION, SNAPSHOT_SCHEMA_VERSION, type CoverageEntry, type KubeObject, type Snapshot, type SourceRef } from '../snapshot/types.ts';

export interface FromObjectsOptions {
  clusterName?: string;
  clusterVersion?: string;
  collectedAt?: string;
  notes?: string[];
  sources?: Record<string, SourceRef>;
  origin?: 'live' | 'manifests';
}

/** Sorts objects into snapshot kinds; returns the unknown ones separately. */
export function sortObjects(objects: KubeObject[]): { resources: Partial<Record<KindKey, KubeObject[]>>; unknown: KubeObject[] } {
  const resources: Partial<Record<KindKey, KubeObject[]>> = {};
  const unknown: KubeObject[] = [];
  for (const o of objects) {
    const spec = typeof o.apiVersion === 'string' && typeof o.kind === 'string' ? kindForManifest(o.apiVersion, o.kind) : undefined;
    if (!spec) {
      unknown.push(o);
      continue;
    }
    const key = spec.key as KindKey;
    if (spec.namespaced && o.metadata && !o.metadata.namespace) o.metadata.namespace = 'default';
    // Ignored by the API server on a cluster-scoped object: it names no namespace to make up.
    if (!spec.namespaced && o.metadata && 'namespace' in o.metadata) delete o.metadata.namespace;
    (resources[key] ??= []).push(o);
  }
  return { resources, unknown };
}

/** An Argo Rollout (argoproj.io), which makes its pods through ReplicaSets from its own pod template. */
export const isRollout = (o: KubeObject): boolean => o.kind === 'Rollout' && typeof o.apiVersion === 'string' && o.apiVersion.startsWith('argoproj.io/');

/** A pod template where workloads keep theirs (spec.template.spec.containers, or a PodTemplate's template.spec.containers). */
function holdsPodTemplate(o: KubeObject): boolean {
  const within = (v: unknown): boolean => {
    const spec = isRecord(v) ? v.spec : undefined;
    return isRecord(spec) && Array.isArray(spec.containers);
  };
  return within(isRecord(o.spec) ? o.spec.template : undefined) || within((o as Record<string, unknown>).template);
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The kinds a Rollout's spec.workloadRef may name, by API group and kind, and where ztaudit
 * keeps them: Argo Rollouts resolves a Deployment's or ReplicaSet's spec.template, or a
 * PodTemplate's template, of the Rollout's namespace (argoproj/argo-rollouts v1.9.1
 * rollout/templateref.go, infoByGroupKind and Resolve) and refuses any other kind.
 */
const WORKLOAD_REF_KINDS: Record<string, 'deployments' | 'replicasets' | undefined> = { 'apps/Deployment': 'deployments', 'apps/ReplicaSet': 'replicasets', '/PodTemplate': undefined };

/** "deployments/NS/NAME" for every Deployment and ReplicaSet read: built once, when a Rollout names a workload. */
function indexWorkloads(resources: Partial<Record<KindKey, KubeObject[]>>): Set<string> {
  const out = new Set<string>();
  for (const key of ['deployments', 'replicasets'] as const) for (const o of resources[key] ?? []) out.add(`${key}/${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`);
  return out;
}

/** What a run says of a Rollout whose pods come from another object's template (spec.workloadRef). */
function workloadRefNote(o: KubeObject, ref: Record<string, unknown>, present: Set<string>): string {
  const ns = o.metadata?.namespace || 'default';
  const rollout = `Rollout ${ns}/${o.metadata?.name ?? ''}`;
  const apiVersion = typeof ref.apiVersion === 'string' ? ref.apiVersion : '';
  const kind = typeof ref.kind === 'string' ? ref.kind : '';
  const name = typeof ref.name === 'string' ? ref.name : '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  const target = `${kind || '?'} ${ns}/${name}`;
  if (!(`${group}/${kind}` in WORKLOAD_REF_KINDS)) return `${rollout}: its spec.workloadRef names ${JSON.stringify(apiVersion)} ${JSON.stringify(kind)}, which Argo Rollouts does not resolve (only apps Deployment, apps ReplicaSet and PodTemplate): it makes no pods, and no pod template was judged for it`;
  const key = WORKLOAD_REF_KINDS[`${group}/${kind}`];
  if (!key) return `${rollout}: its pods come from ${target}'s pod template (spec.workloadRef), a kind ztaudit does not audit; Pod Security did not judge it`;
  if (!present.has(`${key}/${ns}/${name}`)) return `${rollout}: its pods come from ${target}'s pod template (spec.workloadRef), which is not among the objects read; Pod Security did not judge it`;
  return `${rollout}: its pods come from ${target}'s pod template (spec.workloadRef), judged as ${target}`;
}

/**
 * The objects of kinds ztaudit does not audit, said once per kind (apiVersion and kind), at the
 * first one's file and line: `a.yaml:1: skipped 30 v1 Secret objects (first: shop/s0): not a kind
 * ztaudit audits`, with `in N files` when they are in more than one. Said once per object, 20,000
 * Secrets were 20,000 lines on stderr, even with -q.
 */
function notAuditedNotes() {
  interface Group { at?: SourceRef; first: string; what: string; count: number; template: boolean; files: Set<string> }
  const groups = new Map<string, Group>();
  return {
    add(o: KubeObject, sources: Record<string, SourceRef> | undefined) {
      const ns = o.metadata?.namespace;
      const name = o.metadata?.name ?? '';
      const at = sources?.[`${o.kind}/${ns ?? ''}/${name}`];
      const what = `${oneLine(o.apiVersion ?? '?')} ${oneLine(o.kind ?? '?')}`;
      const template = holdsPodTemplate(o) || isRollout(o);
      const key = `${what}\0${template}`;
      let group = groups.get(key);
      if (group) group.count++;
      else groups.set(key, (group = { at, first: oneLine(ns ? `${ns}/${name}` : name), what, count: 1, template, files: new Set() }));
      if (at) group.files.add(at.file);
    },
    notes(): string[] {
      return [...groups.values()].map(({ at, first, what, count, template, files }) => {
        const where = at ? `${oneLine(at.file)}${at.line === undefined ? '' : `:${at.line}`}: ` : '';
        const objects = count === 1 ? `${what} ${first}` : `${count} ${what} objects (first: ${first}${files.size > 1 ? `; in ${files.size} files` : ''})`;
        return template
          ? `${where}skipped ${objects}: not a kind ztaudit audits; Pod Security did not judge ${count === 1 ? 'its pod template (audit the workload it makes instead)' : 'their pod templates (audit the workloads they make instead)'}`
          : `${where}skipped ${objects}: not a kind ztaudit audits`;
      });
    },
  };
}

export function snapshotFromObjects(objects: KubeObject[], options: FromObjectsOptions = {}): Snapshot {
  const { resources, unknown } = sortObjects(objects);
  const notes = [...(options.notes ?? [])];
  const notAudited = notAuditedNotes();
  const unreadRollouts: string[] = [];
  let presentWorkloads: Set<string> | undefined;
  for (const o of unknown) {
    const what = `${o.apiVersion ?? '?'} ${o.kind ?? '?'} ${o.metadata?.name ?? ''}`;
    if (options.origin !== 'live' && isRollout(o) && o.metadata && isRecord(o.spec) && isRecord(o.spec.template)) {
      // In a cluster, a Rollout's pods come from the ReplicaSets it makes from spec.template, and
      // the workloads model folds those into "Rollout NS/NAME" (src/analysis/workloads.ts). Here
      // its template stands in for them as a ReplicaSet's would: listed with the ReplicaSets,
      // under its own kind and name, so its findings read as in a live run.
      const problem = specProblem('replicasets', o);
      if (problem) {
        notes.push(`skipped ${what}: its ${problem}`);
        unreadRollouts.push(`${what}: ${problem}`);
        continue;
      }
      if (!o.metadata.namespace) o.metadata.namespace = 'default';
      (resources.replicasets ??= []).push(o);
      continue;
    }
    if (isRollout(o) && isRecord(o.spec) && isRecord(o.spec.workloadRef)) {
      notes.push(workloadRefNote(o, o.spec.workloadRef, (presentWorkloads ??= indexWorkloads(resources))));
      continue;
    }
    // A PodTemplate, a Rollout with neither template nor workloadRef, another controller's custom resource.
    notAudited.add(o, options.sources);
  }
  notes.push(...notAudited.notes());
  const coverage: Partial<Record<KindKey, CoverageEntry>> = {};
  for (const k of KINDS) {
    const list = resources[k.key] ?? [];
    coverage[k.key] = k.builtin || list.length > 0 ? { status: 'ok', count: list.length } : { status: 'absent' };
    resources[k.key] = list;
  }
  // A Rollout whose template cannot be read hides pods, as a broken Deployment does.
  if (unreadRollouts.length > 0) for (const key of ['replicasets', 'pods'] as KindKey[]) coverage[key] = { status: 'error', detail: unreadRollouts.join('; ') };
  // Namespaces referenced by objects but not declared exist implicitly in a manifests dir; their
  // labels are unknown (IMPLICIT_NAMESPACE_ANNOTATION), whatever a selector would need.
  const declared = new Set((resources.namespaces ?? []).map((n) => n.metadata?.name));
  for (const list of Object.values(resources)) {
    for (const o of list ?? []) {
      const ns = o.metadata?.namespace;
      if (ns && !declared.has(ns)) {
        declared.add(ns);
        resources.namespaces!.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns }, annotations: { [IMPLICIT_NAMESPACE_ANNOTATION]: 'true' } } });
      }
    }
  }
  // The API server sets this label on every namespace to its name, over what a manifest says
  // (kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#automatic-labelling).
  for (const n of resources.namespaces ?? []) {
    const name = n.metadata?.name;
    if (name && n.metadata) n.metadata.labels = { ...(n.metadata.labels ?? {}), 'kubernetes.io/metadata.name': name };
  }
  coverage.namespaces = { status: 'ok', count: resources.namespaces?.length ?? 0 };
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    cluster: { name: options.clusterName ?? 'manifests', version: options.clusterVersion },
    collectedAt: options.collectedAt ?? new Date().toISOString(),
    source: 'manifests',
    origin: options.origin ?? 'manifests',
    coverage,
    resources,
    notes,
    sources: options.sources,
  };
}
