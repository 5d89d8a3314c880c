// Containers without CPU or memory limits. Not part of the Pod Security Standards; NSA/CISA's
// hardening guidance asks for resource limits so that one compromised or runaway workload
// cannot starve its node. A missing memory limit (the node's memory can be exhausted, and
// other pods are evicted or OOM-killed) is medium; a missing CPU limit alone is low (CPU is
// throttled, not exhausted). A LimitRange default is injected at admission, so live pods show
// it; a template read from manifests does not (LimitRanges are not collected). A pod-level limit
// (spec.resources.limits; PodLevelResources, beta and on by default since Kubernetes 1.34:
// https://kubernetes.io/docs/tasks/configure-pod-container/assign-pod-level-resources/) caps all
// of the pod's containers together, so it bounds a container without its own limit of that resource.
import type { Check } from '../../src/engine/types.ts';
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

const limitsJudge: ContainerJudge = (c, spec) => {
  const missing = ['memory', 'cpu'].filter((r) => !hasLimit(c, r) && !hasLimit(spec, r));
  if (missing.length === 0) return undefined;
  return { what: `no ${missing.join(' or ')} limit`, severity: missing.includes('memory') ? 'medium' : 'low' };
};

export const resourceLimitsMissing: Check = {
  id: 'pod-security.resource-limits-missing',
  area: 'pod-security',
  title: 'Containers set CPU and memory limits',
  protectsAgainst: 'containers without memory or CPU limits (their own, or the pod\'s `spec.resources.limits`, which bound all its containers), so one compromised or runaway workload can exhaust its node and evict its neighbours (outside the Pod Security Standards, which say nothing about resources; NSA/CISA hardening guidance asks for limits); limits a LimitRange injects at admission show on live pods, not on templates read from manifests; system namespaces are excluded by default and counted in the coverage section',
  severity: 'medium',
  controls: RESOURCE_LIMITS,
  remediation: 'Set `resources.limits.memory` (and `resources.limits.cpu`) on every container, sized from observed usage, or once for the whole pod in `spec.resources.limits` (pod-level resources, Kubernetes 1.34+), or give the namespace a LimitRange with Container defaults. A missing memory limit is medium and a missing CPU limit alone low; tune with config `checks: {pod-security.resource-limits-missing: {severity: low}}`.',
  needs: ['pods'],
  evaluate: (ctx) => hardeningVerdicts(ctx, limitsJudge, 'every container has CPU and memory limits (its own or the pod\'s)'),
  excluded: (ctx) => systemExclusionText(ctx, limitsJudge),
};
