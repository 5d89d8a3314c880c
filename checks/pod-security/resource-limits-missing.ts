// Containers without CPU or memory limits. Not part of the Pod Security Standards; NSA/CISA's
// hardening guidance asks for resource limits so that one compromised or runaway workload
// cannot starve its node. A missing memory limit (the node's memory can be exhausted, and
// other pods are evicted or OOM-killed) is medium; a missing CPU limit alone is low (CPU is
// throttled, not exhausted). A LimitRange's Container default is injected at admission
// (https://kubernetes.io/docs/concepts/policy/limit-range/), so live pods made since show it; a
// template (a live workload running no pods, or manifests) gets it from its namespace's
// LimitRanges, whose API defaulting also makes a Container max the default limit
// (kubernetes pkg/apis/core/v1/defaults.go SetDefaults_LimitRangeItem). A pod-level limit
// (spec.resources.limits; PodLevelResources, beta and on by default since Kubernetes 1.34:
// https://kubernetes.io/docs/tasks/configure-pod-container/assign-pod-level-resources/) caps all
// of the pod's containers together, so it bounds a container without its own limit of that resource.
import type { Check } from '../../src/engine/types.ts';
import type { AuditContext } from '../../src/analysis/context.ts';
import { memoize } from '../../src/analysis/memo.ts';
import type { Snapshot } from '../../src/snapshot/types.ts';
import { templatesStandIn } from '../../src/analysis/workloads.ts';
import { hardeningVerdicts, systemExclusionText, type ContainerJudge } from './lib/hardening.ts';
import { RESOURCE_LIMITS } from '../controls.ts';
import { quantitySign } from '../../src/analysis/pss/quantity.ts';
import { clip } from '../../src/base/plain-text.ts';

const RESOURCES = ['memory', 'cpu'] as const;
type Resource = (typeof RESOURCES)[number];

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
/** How much of a quoted value a finding shows: a limit is a few characters, anything longer is not one. */
const VALUE_SHOWN = 40;
const shown = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(clip(v, VALUE_SHOWN)) : String(v));

/**
 * What a limit in map `m` (a `resources.limits`, or a LimitRange item's `default`/`max`) says
 * of resource `r`. A zero limit is no limit: the kubelet sets a memory limit only when it is
 * not 0, and a CPU limit of 0 gives no CFS quota (kubernetes pkg/kubelet/kuberuntime/
 * kuberuntime_container_linux.go calculateLinuxResources). A negative or malformed one the API
 * server refuses (validation: "must be greater than or equal to 0"; ParseQuantity), so it
 * bounds nothing either, and the finding names it.
 */
type Limit = { kind: 'absent' } | { kind: 'positive' } | { kind: 'none'; why: string };

function limitIn(m: unknown, r: string, key: string): Limit {
  if (!isMap(m) || m[r] === undefined) return { kind: 'absent' };
  const v = m[r];
  const q = quantitySign(v);
  if ('malformed' in q) return { kind: 'none', why: `${key} ${shown(v)} ${q.malformed}` };
  if (q.sign > 0) return { kind: 'positive' };
  return { kind: 'none', why: q.sign === 0 ? `${key} ${shown(v)} is zero, which is no limit` : `${key} ${shown(v)} is negative (the API server refuses it)` };
}

const limitsOf = (o: Record<string, unknown> | undefined): unknown => (isMap(o?.resources) ? o.resources.limits : undefined);

/** Per namespace, the resources some LimitRange gives a Container limit by default, and why others give none. */
interface InjectedLimits {
  given: Set<Resource>;
  refused: Array<{ r: Resource; why: string }>;
}

/**
 * A LimitRange item's default limit of `r`: its `default`, or when that leaves `r` out its
 * `max` (API defaulting, kubernetes pkg/apis/core/v1/defaults.go SetDefaults_LimitRangeItem).
 */
const itemDefault = (item: Record<string, unknown>, r: Resource): Limit => {
  const d = limitIn(item.default, r, `default.${r}`);
  return d.kind === 'absent' ? limitIn(item.max, r, `max.${r}`) : d;
};

const limitRangeDefaults = memoize((snapshot: Snapshot): Map<string, InjectedLimits> => {
  const out = new Map<string, InjectedLimits>();
  for (const lr of snapshot.resources.limitranges ?? []) {
    const ns = lr.metadata?.namespace;
    const limits = isMap(lr.spec) ? lr.spec.limits : undefined;
    if (typeof ns !== 'string' || !Array.isArray(limits)) continue;
    limits.forEach((item, i) => {
      if (!isMap(item) || item.type !== 'Container') return;
      for (const r of RESOURCES) {
        const d = itemDefault(item, r);
        if (d.kind === 'absent') continue;
        let entry = out.get(ns);
        if (!entry) out.set(ns, (entry = { given: new Set(), refused: [] }));
        if (d.kind === 'positive') entry.given.add(r);
        else entry.refused.push({ r, why: `LimitRange ${ns}/${String(lr.metadata?.name)} spec.limits[${i}].${d.why}` });
      }
    });
  }
  return out;
}, 'pod-security');

/** Whether the LimitRanges are known: read ('ok'), or none in the manifests ('absent'). */
const limitRangesKnown = (ctx: AuditContext): boolean => {
  const status = ctx.snapshot.coverage.limitranges?.status;
  return status === 'ok' || status === 'absent';
};

const limitsJudge: ContainerJudge = (c, spec, _init, ctx, namespace, origin) => {
  // Live pods already carry what a LimitRange injected (one made before it has none); a
  // template, and any pod read from manifests, has yet to be admitted.
  const admitted = origin === 'pod' && !templatesStandIn(ctx.snapshot);
  const injected = admitted ? undefined : limitRangeDefaults(ctx.snapshot).get(namespace);
  const missing: Resource[] = [];
  const why: string[] = [];
  for (const r of RESOURCES) {
    const own = limitIn(limitsOf(c), r, `resources.limits.${r}`);
    const pod = limitIn(limitsOf(spec), r, `the pod's spec.resources.limits.${r}`);
    if (own.kind === 'positive' || pod.kind === 'positive') continue;
    // Admission injects a default only into a container that names no limit of its own
    // (a zero one included): https://kubernetes.io/docs/concepts/policy/limit-range/.
    if (own.kind === 'absent' && injected?.given.has(r)) continue;
    missing.push(r);
    for (const l of [own, pod]) if (l.kind === 'none') why.push(l.why);
  }
  if (missing.length === 0) return undefined;
  for (const x of injected?.refused ?? []) if (missing.includes(x.r)) why.push(x.why);
  const what = `no ${missing.join(' or ')} limit${why.length > 0 ? ` (${why.join('; ')})` : ''}`;
  if (!admitted && !limitRangesKnown(ctx)) {
    return { what: `${what} (a LimitRange may inject limits: LimitRanges could not be read)`, severity: 'low' };
  }
  return { what, severity: missing.includes('memory') ? 'medium' : 'low' };
};

export const resourceLimitsMissing: Check = {
  id: 'pod-security.resource-limits-missing',
  area: 'pod-security',
  title: 'Containers set CPU and memory limits',
  protectsAgainst: 'containers without memory or CPU limits (a limit of zero, such as `0` or `0Mi`, is none: the kubelet leaves such a container unbounded; their own, or the pod\'s `spec.resources.limits`, which bound all its containers), so one compromised or runaway workload can exhaust its node and evict its neighbours (outside the Pod Security Standards, which say nothing about resources; NSA/CISA hardening guidance asks for limits); a LimitRange\'s Container default (or max) limit counts for a pod template (a live workload running no pods, or manifests), since admission injects it into the pods made from it, and shows on live pods already; system namespaces are excluded by default and counted in the coverage section',
  severity: 'medium',
  controls: RESOURCE_LIMITS,
  remediation: 'Set `resources.limits.memory` (and `resources.limits.cpu`) on every container, sized from observed usage, or once for the whole pod in `spec.resources.limits` (pod-level resources, Kubernetes 1.34+), or give the namespace a LimitRange with Container defaults. A missing memory limit is medium and a missing CPU limit alone low; tune with config `checks: {pod-security.resource-limits-missing: {severity: low}}`.',
  needs: ['pods'],
  readsBestEffort: ['limitranges'],
  evaluate: (ctx) => hardeningVerdicts(ctx, limitsJudge, 'every container has CPU and memory limits (its own, the pod\'s, or for a template its namespace\'s LimitRange default)', resourceLimitsMissing.severity),
  excluded: (ctx) => systemExclusionText(ctx, limitsJudge),
};
