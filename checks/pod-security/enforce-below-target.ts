import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { compareLevels, podSecurityModel, type ModePolicy } from '../../src/analysis/pss/index.ts';
import { auditedNamespaces, checksMissingByVersion, namespaceEvidence, namespaceRef, policyText, unseenNamespaces, unseenNamespacesNote } from '../../src/analysis/pss/verdicts.ts';
import { POD_SECURITY_NAMESPACE } from '../controls.ts';

/**
 * The enforced level and version, each with where it comes from: a namespace labelled with a
 * level but no enforce-version gets its version from the admission defaults, and a message
 * saying "by label" of both would send its reader to a label that is not there (the same
 * wording as version-pinned-old's).
 */
function enforcedAt(enforce: ModePolicy, policy: string, sourceText: (from: ModePolicy['levelSource']) => string): string {
  if (enforce.levelSource === enforce.versionSource) return `"${policy}" ${sourceText(enforce.levelSource)}`;
  const version = policy.slice(enforce.level.length + 1);
  const versionFrom = enforce.versionSource === 'label'
    ? 'set by its enforce-version label'
    : enforce.versionSource === 'defaults'
    ? `${sourceText('defaults')} (the namespace has no enforce-version label; config podSecurity.defaults.enforce-version)`
    : sourceText(enforce.versionSource);
  return `"${enforce.level}" ${sourceText(enforce.levelSource)}, at version ${version} ${versionFrom}`;
}

export const enforceBelowTarget: Check = {
  id: 'pod-security.enforce-below-target',
  area: 'pod-security',
  title: 'Enforced Pod Security level meets the target level',
  protectsAgainst: 'namespaces whose enforced Pod Security level is weaker than the level the organisation targets, or reaches it only at an enforce-version that predates checks the target\'s version adds or tightens',
  severity: 'high',
  controls: POD_SECURITY_NAMESPACE,
  remediation:
    'Raise the namespace\'s enforce label to the target (`kubectl label --overwrite namespace NAME pod-security.kubernetes.io/enforce=restricted`); stage it first with the warn and audit labels and fix the pods pod-security.pod-violates-target lists. When only the version is behind, raise `pod-security.kubernetes.io/enforce-version` (to `latest` or the target\'s version) the same way.',
  needs: ['namespaces'],
  readsBestEffort: ['pods'],
  evaluate(ctx) {
    const model = podSecurityModel(ctx.snapshot, ctx.config);
    const target = model.target.level;
    return auditedNamespaces(model).map((ns): Verdict => {
      const resource = namespaceRef(ns);
      const enforce = ns.levels.enforce;
      const evidence = { ...namespaceEvidence(ns, model), targetLevel: target };
      const sourceText = (from: typeof enforce.levelSource): string => (from === 'label' ? 'by label' : model.defaultsKnown ? 'by the admission defaults' : 'by assumption (no label, admission defaults unknown)');
      const source = sourceText(enforce.levelSource);
      // Before 1.23 no admission controller reads the label (enforce-missing's gate): the
      // namespace enforces nothing, whatever level it names, so it is below any target (config
      // target.podSecurityLevel is baseline or restricted).
      if (model.admissionAbsent !== undefined) {
        return { status: 'fail', resource, message: `Namespace ${ns.name} enforces no Pod Security level, below the target "${target}": ${model.admissionAbsent}.`, evidence, severity: 'high' };
      }
      if (compareLevels(enforce.level, target) >= 0) {
        // An old enforce-version meets the level in name only: admission at v1.0 runs none of
        // restricted's allowPrivilegeEscalation, capabilities, runAsUser or seccomp checks.
        const missing = checksMissingByVersion(enforce, model.target, model);
        if (missing.length === 0) {
          return { status: 'pass', resource, message: `Namespace ${ns.name} enforces "${enforce.level}" ${source}, meeting the target "${target}".`, evidence };
        }
        const reach = compareLevels(enforce.level, target) > 0 ? 'above the target\'s level' : 'the target\'s level';
        return {
          status: 'fail',
          resource,
          message: `Namespace ${ns.name} enforces ${enforcedAt(enforce, policyText(enforce, model), sourceText)}, ${reach} but not its rules: the target "${policyText(model.target, model)}" has checks added or tightened since that it does not enforce: ${missing.join(', ')}.`,
          evidence: { ...evidence, targetVersion: model.target.version, checksMissingByVersion: missing },
          severity: 'medium',
        };
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
  unjudgedNamespaces(ctx) {
    return unseenNamespaces(podSecurityModel(ctx.snapshot, ctx.config));
  },
};
