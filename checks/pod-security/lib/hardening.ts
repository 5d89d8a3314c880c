// Shared shape of the workload-hardening checks outside the Pod Security Standards: one
// verdict per workload (its pods, or the template its next pods come from) outside the system
// namespaces, failing when a container misses the setting. System namespaces are excluded by
// default; how many of their workloads would fail is counted for the coverage section.
import type { AuditContext } from '../../../src/analysis/context.ts';
import { judgedPodsOf, stableVerdicts, workloadsOf, refString, type PodView, type Workload, type WorkloadVerdict } from '../../../src/analysis/workloads.ts';
import { isSystemNamespace } from '../../../src/analysis/netpol/rules.ts';
import type { Severity, Verdict } from '../../../src/base/vocabulary.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Container = Record<string, any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PodSpec = Record<string, any>;

/** The containers a pod runs (init containers included: they run with the same identity and node). */
export function containersOf(spec: PodSpec): Array<{ c: Container; init: boolean }> {
  const list = (v: unknown, init: boolean) => (Array.isArray(v) ? v.filter((c) => c && typeof c === 'object').map((c) => ({ c: c as Container, init })) : []);
  return [...list(spec.initContainers, true), ...list(spec.containers, false)];
}

export const containerName = (c: Container): string => (typeof c.name === 'string' && c.name ? c.name : '(unnamed)');

/** What a container misses, or undefined when it is fine; severity per miss (the worst wins). */
/** `origin`: a pod that exists, or the template standing in for the next ones (admission has not seen it). */
export type ContainerJudge = (c: Container, spec: PodSpec, init: boolean, ctx: AuditContext, namespace: string, origin: PodView['origin']) => { what: string; severity?: Severity } | undefined;

const WEIGHT: Record<Severity, number> = { low: 1, medium: 2, high: 3, critical: 4 };

/** Init containers first, then containers: containersOf's order, without its arrays (they were made per pod spec). */
const CONTAINER_FIELDS = [['initContainers', true], ['containers', false]] as const;
/** The same, then ephemeral (debug) containers, for a judge of a field they may set. */
const WITH_EPHEMERAL = [...CONTAINER_FIELDS, ['ephemeralContainers', false]] as const;

/**
 * Which containers a judge looks at. An ephemeral container may set its securityContext but
 * not resources (EphemeralContainer, Pod v1 API), so only a judge of the former includes them.
 */
export interface JudgeScope {
  ephemeral?: boolean;
}

const EPHEMERAL_ONLY = [['ephemeralContainers', false]] as const;

type ContainerFields = typeof WITH_EPHEMERAL | typeof CONTAINER_FIELDS | typeof EPHEMERAL_ONLY;

/**
 * The container lists a workload is judged by: a controller's template makes no ephemeral
 * container (`kubectl debug` attaches one to one pod), so they are judged on their pods apart
 * (debugPodVerdicts); a bare pod is its own workload and is judged whole.
 */
const workloadFields = (w: Workload, scope: JudgeScope): ContainerFields => (scope.ephemeral && w.ref.kind === 'Pod' ? WITH_EPHEMERAL : CONTAINER_FIELDS);

function judgeWorkload(pods: readonly PodView[], judge: ContainerJudge, ctx: AuditContext, namespace: string, fields: ContainerFields) {
  const misses = new Map<string, { what: string; severity?: Severity }>();
  let judged: PodSpec | undefined;
  for (const pod of pods) {
    // Replicas share one spec object (the snapshot reader interns equal values): a judge,
    // a function of its arguments, says the same of it again.
    if (pod.spec === judged) continue;
    judged = pod.spec;
    for (const [field, init] of fields) {
      const list: unknown = pod.spec[field];
      if (!Array.isArray(list)) continue;
      for (const c of list) {
        if (!c || typeof c !== 'object') continue;
        const name = containerName(c);
        if (misses.has(name)) continue;
        const m = judge(c, pod.spec, init, ctx, namespace, pod.origin);
        if (m) misses.set(name, m);
      }
    }
  }
  return misses;
}

/**
 * One verdict per workload, under its stable name (stableVerdicts: a CronWorkflow's Workflow, a
 * generateName pod is the same finding every run); `severity` is the check's. A debug container
 * is judged on its pod, which a restart clears.
 */
export function* hardeningVerdicts(ctx: AuditContext, judge: ContainerJudge, ok: string, severity: Severity, scope: JudgeScope = {}): Generator<Verdict> {
  const debug: Verdict[] = [];
  yield* stableVerdicts(workloadVerdicts(ctx, judge, ok, scope, debug), severity);
  yield* debug;
}

function* workloadVerdicts(ctx: AuditContext, judge: ContainerJudge, ok: string, scope: JudgeScope, debug: Verdict[]): Generator<WorkloadVerdict> {
  for (const w of workloadsOf(ctx.snapshot)) {
    const pods = judgedPodsOf(w);
    if (pods.length === 0) continue;
    const namespace = w.ref.namespace ?? pods[0].namespace;
    if (isSystemNamespace(namespace, ctx.config.systemNamespaces)) continue;
    const misses = judgeWorkload(pods, judge, ctx, namespace, workloadFields(w, scope));
    if (scope.ephemeral && w.ref.kind !== 'Pod') debug.push(...debugPodVerdicts(w, pods, judge, ctx, namespace, misses.size === 0));
    if (misses.size === 0) {
      yield { workload: w, verdict: { status: 'pass', resource: w.ref, message: `${refString(w.ref)}: ${ok}` } };
      continue;
    }
    let severity: Severity | undefined;
    const parts: string[] = [];
    const whats: Array<[string, string]> = [];
    for (const [name, m] of misses) {
      if (m.severity && (!severity || WEIGHT[m.severity] > WEIGHT[severity])) severity = m.severity;
      if (parts.length < 4) parts.push(`${name}: ${m.what}`);
      whats.push([name, m.what]);
    }
    yield {
      workload: w,
      verdict: {
        status: 'fail', resource: w.ref,
        message: `${refString(w.ref)}: ${parts.join('; ')}${misses.size > 4 ? `; +${misses.size - 4} more containers` : ''}`,
        evidence: { containers: Object.fromEntries(whats) },
        ...(severity ? { severity } : {}),
      },
    };
  }
}

/** A controller's pods whose ephemeral (debug) containers miss the setting, each on the pod: its workload is judged without them. */
function* debugPodVerdicts(w: Workload, pods: readonly PodView[], judge: ContainerJudge, ctx: AuditContext, namespace: string, workloadPasses: boolean): Generator<Verdict> {
  for (const pod of pods) {
    if (pod.origin !== 'pod' || !Array.isArray(pod.spec.ephemeralContainers) || pod.spec.ephemeralContainers.length === 0) continue;
    const misses = judgeWorkload([pod], judge, ctx, namespace, EPHEMERAL_ONLY);
    if (misses.size === 0) continue;
    const whats = [...misses].map(([name, m]) => `${name}: ${m.what}`);
    yield {
      status: 'fail', resource: { kind: 'Pod', namespace: pod.namespace, name: pod.name },
      message: `pod ${pod.namespace}/${pod.name} of ${refString(w.ref)}: ephemeral (debug) ${whats.length === 1 ? 'container' : 'containers'} ${whats.join('; ')}; ${workloadPasses ? 'the pod template passes' : `${refString(w.ref)} fails on its own (reported there)`}. Delete or restart the pod to remove ${whats.length === 1 ? 'it' : 'them'}.`,
      evidence: { workload: w.ref, containers: Object.fromEntries([...misses].map(([name, m]) => [name, m.what])) },
    };
  }
}

/** How many workloads of the excluded system namespaces the judge would fail, for coverage. */
export function excludedSystemFailures(ctx: AuditContext, judge: ContainerJudge, scope: JudgeScope = {}): { workloads: number; failing: number; examples: string[] } {
  let workloads = 0;
  const failed: string[] = [];
  for (const w of workloadsOf(ctx.snapshot)) {
    const pods = judgedPodsOf(w);
    if (pods.length === 0) continue;
    const namespace = w.ref.namespace ?? pods[0].namespace;
    if (!isSystemNamespace(namespace, ctx.config.systemNamespaces)) continue;
    workloads++;
    if (judgeWorkload(pods, judge, ctx, namespace, workloadFields(w, scope)).size > 0) failed.push(refString(w.ref));
  }
  return { workloads, failing: failed.length, examples: failed.sort().slice(0, 3) };
}

/** The coverage sentence for a hardening check: what the system-namespace exclusion hides. */
export function systemExclusionText(ctx: AuditContext, judge: ContainerJudge, scope: JudgeScope = {}): string | undefined {
  const { workloads, failing, examples } = excludedSystemFailures(ctx, judge, scope);
  if (workloads === 0) return undefined;
  const more = failing > examples.length ? `, +${failing - examples.length} more` : '';
  return `${workloads} workload${workloads === 1 ? '' : 's'} in system namespaces (config systemNamespaces) excluded by default; ${failing} would fail${failing > 0 ? ` (${examples.join(', ')}${more})` : ''}`;
}
