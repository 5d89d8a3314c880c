import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { compareLevels, podSecurityModel } from '../../src/analysis/pss/index.ts';
import { WHEN_ADMISSION_RUNS, admissionRuns, auditedNamespaces, checksMissingByVersion, namespaceEvidence, namespaceRef, unseenNamespaces, unseenNamespacesNote, policyText } from '../../src/analysis/pss/verdicts.ts';
import { POD_SECURITY_NAMESPACE } from '../controls.ts';

export const enforceWeakerThanWarnAudit: Check = {
  id: 'pod-security.enforce-weaker-than-warn-audit',
  area: 'pod-security',
  title: 'Enforce is at least as strict as warn and audit',
  protectsAgainst: 'namespaces that only warn about or audit a stricter Pod Security level — or the same level at a newer version with more checks — than they enforce, so violations are logged but admitted',
  severity: 'low',
  controls: POD_SECURITY_NAMESPACE,
  remediation:
    'Finish the rollout: once the warnings and audit events for the stricter level are gone, set `pod-security.kubernetes.io/enforce` (and `enforce-version`) to the level (and version) warn/audit already use.',
  needs: ['namespaces'],
  readsBestEffort: ['pods'],
  // Below v1.23 nothing is enforced, warned or audited by these labels: comparing them would
  // credit (or blame) an enforce level no admission controller reads.
  appliesTo: (ctx) => admissionRuns(ctx.snapshot),
  appliesWhen: WHEN_ADMISSION_RUNS,
  evaluate(ctx) {
    const model = podSecurityModel(ctx.snapshot, ctx.config);
    return auditedNamespaces(model).map((ns): Verdict => {
      const resource = namespaceRef(ns);
      const evidence = namespaceEvidence(ns, model);
      const { enforce, audit, warn } = ns.levels;
      const stricter = [
        ...(compareLevels(warn.level, enforce.level) > 0 ? [`warn "${warn.level}"`] : []),
        ...(compareLevels(audit.level, enforce.level) > 0 ? [`audit "${audit.level}"`] : []),
      ];
      // At the same level, a newer warn/audit version still reports pods the older enforced
      // rules admit (enforce restricted:v1.18 never runs runAsUser, added in 1.23).
      const byVersion = stricter.length > 0 ? [] : ([['warn', warn], ['audit', audit]] as const).flatMap(([mode, p]) => {
        const missing = checksMissingByVersion(enforce, p, model);
        return missing.length > 0 ? [`${mode} "${policyText(p, model)}" runs ${missing.join(', ')}`] : [];
      });
      if (byVersion.length > 0) {
        return {
          status: 'fail',
          resource,
          message: `Namespace ${ns.name} enforces "${policyText(enforce, model)}" while ${byVersion.join(' and ')}, which the enforced version does not: pods that fail ${byVersion.length > 1 ? 'those checks' : 'them'} are admitted and only reported.`,
          evidence,
        };
      }
      if (stricter.length === 0) {
        return { status: 'pass', resource, message: `Namespace ${ns.name} enforces "${enforce.level}", as strict as its warn and audit levels.`, evidence };
      }
      return {
        status: 'fail',
        resource,
        message: `Namespace ${ns.name} enforces only "${enforce.level}" while ${stricter.join(' and ')} ${stricter.length > 1 ? 'are' : 'is'} stricter: pods that violate the stricter level are admitted and only reported.`,
        evidence,
      };
    });
  },
  excluded(ctx) {
    return unseenNamespacesNote(podSecurityModel(ctx.snapshot, ctx.config), 'enforce was not compared with warn and audit there');
  },
  unjudgedNamespaces(ctx) {
    return unseenNamespaces(podSecurityModel(ctx.snapshot, ctx.config));
  },
};
