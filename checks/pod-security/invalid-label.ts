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
  protectsAgainst: 'mistyped Pod Security labels: values admission cannot parse, with which the API server refuses to create a namespace or change its labels (from manifests the Namespace would be refused: high; a live namespace that got one while PodSecurity admission was not running is read with it replaced: enforce fails closed to restricted, audit/warn fail open to privileged, versions become latest), and misspelt keys admission ignores (the mode keeps its admission default)',
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
      // PodSecurity admission's ValidateNamespace refuses a namespace create, or a label change,
      // whose labels it cannot parse, before it looks at exemptions.
      const badValue = problems.some((p) => p.rule !== undefined);
      const listed = problems.map((p) => `${p.unknownKey ? JSON.stringify(clip(p.label, KEY_SHOWN)) : p.label}=${JSON.stringify(p.value)} (${ns.refused ? (p.rule ?? p.message) : p.message})`).join('; ');
      const consequence = ns.refused
        ? ` The API server will refuse to create this Namespace (PodSecurity admission rejects invalid Pod Security label values on create${ns.exempt ? ', exempt or not' : ''}), and with it every object in it: no Pod Security level is enforced for it.`
        : `${badValue ? ' The API server refuses to create a namespace with such a value or to change its labels to one, so it was set while PodSecurity admission was not running; until it is fixed, admission reads it as shown.' : ''}${ns.exempt ? EXEMPT_NOTE(ns.name) : ''}`;
      out.push({
        status: 'fail',
        resource,
        message: `Namespace ${ns.name} has invalid Pod Security ${problems.length === 1 ? 'label' : 'labels'}: ${listed}.${consequence}`,
        evidence: ns.refused ? { ...evidence, refusedByApiServer: true } : evidence,
        ...(ns.refused ? { severity: 'high' as const } : {}),
      });
    }
    return out;
  },
};
