// Protects against namespaces where Pod Security Admission enforces nothing: no enforce label and no known admission default.
// Controls: CIS-1.10:5.2.1, NSA-CISA:PS/pod-security-enforcement, NIST-800-53:CM-7, NIST-800-53:AC-6, NIST-800-207:T5, NIST-800-207:T6.
import type { Check, Verdict } from '../../src/engine/types.ts';
import { podSecurityModel } from '../../src/analysis/pss/index.ts';
import { NAMESPACE_CONTROLS, auditedNamespaces, namespaceEvidence, namespaceRef } from '../../src/analysis/pss/verdicts.ts';

export const enforceMissing: Check = {
  id: 'pod-security.enforce-missing',
  area: 'pod-security',
  title: 'Every namespace enforces a Pod Security level',
  severity: 'high',
  controls: NAMESPACE_CONTROLS,
  remediation:
    'Label the namespace: `kubectl label namespace NAME pod-security.kubernetes.io/enforce=restricted` (or baseline), after checking with `--dry-run=server` which running pods would violate it; or record the cluster\'s admission defaults in config `podSecurity.defaults`.',
  needs: ['namespaces'],
  evaluate(ctx) {
    const model = podSecurityModel(ctx.snapshot, ctx.config);
    return auditedNamespaces(model).map((ns): Verdict => {
      const resource = namespaceRef(ns);
      const evidence = namespaceEvidence(ns, model);
      const enforce = ns.levels.enforce;
      if (ns.hasEnforceLabel) {
        return { status: 'pass', resource, message: `Namespace ${ns.name} sets pod-security.kubernetes.io/enforce (effective level "${enforce.level}").`, evidence };
      }
      if (model.defaultsKnown && enforce.level !== 'privileged') {
        return { status: 'pass', resource, message: `Namespace ${ns.name} has no enforce label; the cluster's admission defaults enforce "${enforce.level}:${enforce.version}".`, evidence };
      }
      const why = model.defaultsKnown
        ? 'and the admission defaults enforce "privileged"'
        : 'and the cluster\'s admission defaults are unknown (an unconfigured cluster enforces "privileged", i.e. nothing)';
      return { status: 'fail', resource, message: `Namespace ${ns.name} has no pod-security.kubernetes.io/enforce label ${why}: any pod, privileged ones included, is admitted.`, evidence };
    });
  },
};
