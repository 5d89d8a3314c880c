// Containers without CPU or memory limits. Not part of the Pod Security Standards; NSA/CISA's
// hardening guidance asks for resource limits so that one compromised or runaway workload
// cannot starve its node. A missing memory limit (the node's memory can be exhausted, and
// other pods are evicted or OOM-killed) is medium; a missing CPU limit alone is low (CPU is
// throttled, not exhausted). A LimitRange default is injected at admission, so live pods show
// it; a template read from manifests does not (LimitRanges are not collected).
import type { Check } from '../../src/engine/types.ts';
import { hardeningVerdicts, systemExclusionText, type ContainerJudge } from './lib/hardening.ts';
import { RESOURCE_LIMITS } from '../controls.ts';

const hasLimit = (c: Record<string, unknown>, r: string): boolean => {
  const limits = (c.resources as { limits?: Record<string, unknown> } | undefined)?.limits;
  return !!limits && typeof limits === 'object' && limits[r] !== undefined && limits[r] !== null && limits[r] !== '';
};

export const limitsJudge: ContainerJudge = (c) => {
  const missing = ['memory', 'cpu'].filter((r) => !hasLimit(c, r));
  if (missing.length === 0) return undefined;
  return { what: `no ${missing.join(' or ')} limit`, severity: missing.includes('memory') ? 'medium' : 'low' };
};

export const resourceLimitsMissing: Check = {
  id: 'pod-security.resource-limits-missing',
  area: 'pod-security',
  title: 'Containers set CPU and memory limits',
  protectsAgainst: 'containers without memory or CPU limits, so one compromised or runaway workload can exhaust its node and evict its neighbours (outside the Pod Security Standards, which say nothing about resources; NSA/CISA hardening guidance asks for limits); limits a LimitRange injects at admission show on live pods, not on templates read from manifests; system namespaces are excluded by default and counted in the coverage section',
  severity: 'medium',
  controls: RESOURCE_LIMITS,
  remediation: 'Set `resources.limits.memory` (and `resources.limits.cpu`) on every container, sized from observed usage, or give the namespace a LimitRange with Container defaults. A missing memory limit is medium and a missing CPU limit alone low; tune with config `checks: {pod-security.resource-limits-missing: {severity: low}}`.',
  needs: ['pods'],
  evaluate: (ctx) => hardeningVerdicts(ctx, limitsJudge, 'every container sets CPU and memory limits'),
  excluded: (ctx) => systemExclusionText(ctx, limitsJudge),
};
