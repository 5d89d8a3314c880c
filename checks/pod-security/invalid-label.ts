import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { podSecurityModel } from '../../src/analysis/pss/index.ts';
import { namespaceEvidence, namespaceRef } from '../../src/analysis/pss/verdicts.ts';
import { POD_SECURITY_NAMESPACE } from '../controls.ts';
import { clip } from '../../src/base/plain-text.ts';

/** A misspelt key is the cluster's text: shown quoted and clipped (a valid key is at most 63 characters after its prefix). */
const KEY_SHOWN = 120;

const EXEMPT_NOTE = (name: string) =>
  ` Namespace ${name} is exempt from admission (config podSecurity.exemptions.namespaces); its labels still set the level its pods are reported against, and apply if the exemption is lifted.`;

export const invalidLabel: Check = {
  id: 'pod-security.invalid-label',
  area: 'pod-security',
  title: 'Pod Security labels are valid',
  protectsAgainst: 'mistyped Pod Security labels: values admission silently replaces (enforce fails closed to restricted, audit/warn fail open to privileged, versions become latest) and misspelt keys it ignores (the mode keeps its admission default)',
  severity: 'medium',
  controls: POD_SECURITY_NAMESPACE,
  remediation:
    'Use the exact keys `pod-security.kubernetes.io/` + `enforce`, `audit`, `warn` or their `-version` forms, and the exact values: levels `privileged`, `baseline` or `restricted` (lower case), versions `latest` or `v1.<minor>` (with the `v`), e.g. `kubectl label --overwrite namespace NAME pod-security.kubernetes.io/enforce=restricted`.',
  needs: ['namespaces'],
  readsBestEffort: ['pods'],
  evaluate(ctx) {
    const model = podSecurityModel(ctx.snapshot, ctx.config);
    const out: Verdict[] = [];
    for (const ns of model.namespaces.values()) {
      // Exempt namespaces are judged too: admission ignores their labels, but their pods are still
      // reported against the enforce level the labels set (pod-violates-enforced-level), so a
      // mistyped label silently changes that level.
      if (Object.keys(ns.psaLabels).length === 0) continue;
      const resource = namespaceRef(ns);
      const problems = ns.levels.problems.filter((p) => p.label.startsWith('pod-security.kubernetes.io/'));
      const evidence = { ...namespaceEvidence(ns, model), problems, ...(ns.exempt ? { exemption: { namespace: ns.name } } : {}) };
      if (problems.length === 0) {
        out.push({ status: 'pass', resource, message: `Namespace ${ns.name}'s Pod Security labels are valid.`, evidence });
        continue;
      }
      out.push({
        status: 'fail',
        resource,
        message: `Namespace ${ns.name} has invalid Pod Security ${problems.length === 1 ? 'label' : 'labels'}: ${problems.map((p) => `${p.unknownKey ? JSON.stringify(clip(p.label, KEY_SHOWN)) : p.label}=${JSON.stringify(p.value)} (${p.message})`).join('; ')}.${ns.exempt ? EXEMPT_NOTE(ns.name) : ''}`,
        evidence,
      });
    }
    return out;
  },
};
