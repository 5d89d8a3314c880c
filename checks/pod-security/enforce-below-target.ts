import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { compareLevels, podSecurityModel } from '../../src/analysis/pss/index.ts';
import { auditedNamespaces, namespaceEvidence, namespaceRef, unseenNamespacesNote } from '../../src/analysis/pss/verdicts.ts';
import { POD_SECURITY_NAMESPACE } from '../controls.ts';

export const enforceBelowTarget: Check = {
  id: 'pod-security.enforce-below-target',
  area: 'pod-security',
  title: 'Enforced Pod Security level meets the target level',
  protectsAgainst: 'namespaces whose enforced Pod Security level is weaker than the level the organisation targets',
  severity: 'high',
  controls: POD_SECURITY_NAMESPACE,
  remediation:
    'Raise the namespace\'s enforce label to the target (`kubectl label --overwrite namespace NAME pod-security.kubernetes.io/enforce=restricted`); stage it first with the warn and audit labels and fix the pods pod-security.pod-violates-target lists.',
  needs: ['namespaces'],
  readsBestEffort: ['pods'],
  evaluate(ctx) {
    const model = podSecurityModel(ctx.snapshot, ctx.config);
    const target = model.target.level;
    return auditedNamespaces(model).map((ns): Verdict => {
      const resource = namespaceRef(ns);
      const enforce = ns.levels.enforce;
      const evidence = { ...namespaceEvidence(ns, model), targetLevel: target };
      const source = enforce.levelSource === 'label' ? 'by label' : model.defaultsKnown ? 'by the admission defaults' : 'by assumption (no label, admission defaults unknown)';
      if (compareLevels(enforce.level, target) >= 0) {
        return { status: 'pass', resource, message: `Namespace ${ns.name} enforces "${enforce.level}" ${source}, meeting the target "${target}".`, evidence };
      }
      return {
        status: 'fail',
        resource,
        message: `Namespace ${ns.name} enforces "${enforce.level}" ${source}, below the target level "${target}".`,
        evidence,
        // Privileged enforces nothing at all; baseline under a restricted target still blocks the known escalations.
        severity: enforce.level === 'privileged' ? 'high' : 'medium',
      };
    });
  },
  excluded(ctx) {
    return unseenNamespacesNote(podSecurityModel(ctx.snapshot, ctx.config), 'the enforced level was not judged there');
  },
};
