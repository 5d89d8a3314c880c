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

/** Whether a container's or a pod spec's `resources.limits` sets resource `r`. */
const hasLimit = (o: Record<string, unknown> | undefined, r: string): boolean => {
  const resources = o?.resources;
  const limits = resources && typeof resources === 'object' ? (resources as { limits?: unknown }).limits : undefined;
  if (!limits || typeof limits !== 'object' || Array.isArray(limits)) return false;
  const v = (limits as Record<string, unknown>)[r];
  return v !== undefined && v !== null && v !== '';
};

const RESOURCES = ['memory', 'cpu'] as const;
type Resource = (typeof RESOURCES)[number];

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const hasValue = (m: unknown, r: string): boolean => isMap(m) && m[r] !== undefined && m[r] !== null && m[r] !== '';

/** Per namespace, the resources some LimitRange gives a Container limit by default (its `default`, or its `max`). */
const limitRangeDefaults = memoize((snapshot: Snapshot): Map<string, Set<Resource>> => {
  const out = new Map<string, Set<Resource>>();
  for (const lr of snapshot.resources.limitranges ?? []) {
    const ns = lr.metadata?.namespace;
    const limits = isMap(lr.spec) ? lr.spec.limits : undefined;
    if (typeof ns !== 'string' || !Array.isArray(limits)) continue;
    for (const item of limits) {
      if (!isMap(item) || item.type !== 'Container') continue;
      for (const r of RESOURCES) {
        if (!hasValue(item.default, r) && !hasValue(item.max, r)) continue;
        let set = out.get(ns);
        if (!set) out.set(ns, (set = new Set()));
        set.add(r);
      }
    }
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
  const missing = RESOURCES.filter((r) => !hasLimit(c, r) && !hasLimit(spec, r) && !injected?.has(r));
  if (missing.length === 0) return undefined;
  const what = `no ${missing.join(' or ')} limit`;
  if (!admitted && !limitRangesKnown(ctx)) {
    return { what: `${what} (a LimitRange may inject limits: LimitRanges could not be read)`, severity: 'low' };
  }
  return { what, severity: missing.includes('memory') ? 'medium' : 'low' };
};

export const resourceLimitsMissing: Check = {
  id: 'pod-security.resource-limits-missing',
  area: 'pod-security',
  title: 'Containers set CPU and memory limits',
  protectsAgainst: 'containers without memory or CPU limits (their own, or the pod\'s `spec.resources.limits`, which bound all its containers), so one compromised or runaway workload can exhaust its node and evict its neighbours (outside the Pod Security Standards, which say nothing about resources; NSA/CISA hardening guidance asks for limits); a LimitRange\'s Container default (or max) limit counts for a pod template (a live workload running no pods, or manifests), since admission injects it into the pods made from it, and shows on live pods already; system namespaces are excluded by default and counted in the coverage section',
  severity: 'medium',
  controls: RESOURCE_LIMITS,
  remediation: 'Set `resources.limits.memory` (and `resources.limits.cpu`) on every container, sized from observed usage, or once for the whole pod in `spec.resources.limits` (pod-level resources, Kubernetes 1.34+), or give the namespace a LimitRange with Container defaults. A missing memory limit is medium and a missing CPU limit alone low; tune with config `checks: {pod-security.resource-limits-missing: {severity: low}}`.',
  needs: ['pods'],
  readsBestEffort: ['limitranges'],
  evaluate: (ctx) => hardeningVerdicts(ctx, limitsJudge, 'every container has CPU and memory limits (its own, the pod\'s, or for a template its namespace\'s LimitRange default)'),
  excluded: (ctx) => systemExclusionText(ctx, limitsJudge),
};
