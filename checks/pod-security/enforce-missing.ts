import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { ENGINE_KINDS, admissionPolicyEngines, podSecurityModel } from '../../src/analysis/pss/index.ts';
import { refString } from '../../src/analysis/workloads.ts';
import { coverageOk } from '../../src/snapshot/types.ts';
import { auditedNamespaces, namespaceEvidence, namespaceRef, unseenNamespaces, unseenNamespacesNote } from '../../src/analysis/pss/verdicts.ts';
import { POD_SECURITY_NAMESPACE } from '../controls.ts';

export const enforceMissing: Check = {
  id: 'pod-security.enforce-missing',
  area: 'pod-security',
  title: 'Every namespace enforces a Pod Security level',
  protectsAgainst: 'namespaces where Pod Security Admission enforces nothing: no enforce label and no known admission default (medium instead of high when Kyverno, OPA Gatekeeper or Kubewarden runs, recognised by its published image, never by a workload\'s name, whose policies ztaudit cannot read)',
  severity: 'high',
  controls: POD_SECURITY_NAMESPACE,
  remediation:
    'Label the namespace: `kubectl label namespace NAME pod-security.kubernetes.io/enforce=restricted` (or baseline), after checking with `--dry-run=server` which running pods would violate it; or record the cluster\'s admission defaults in config `podSecurity.defaults`. Where Kyverno, Gatekeeper or Kubewarden enforces pod security, still label the namespace, so the guarantee does not rest on policies an audit cannot read.',
  needs: ['namespaces'],
  readsBestEffort: ['pods', ...ENGINE_KINDS],
  evaluate(ctx) {
    const model = podSecurityModel(ctx.snapshot, ctx.config);
    const engines = admissionPolicyEngines(ctx.snapshot);
    const names = engines.map((e) => `${e.name} (${refString(e.workload)})`);
    const engineNames = names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
    // Engines are recognised by their workloads' images; unreadable workload kinds may hide one.
    const unreadable = ENGINE_KINDS.filter((k) => !coverageOk(ctx.snapshot, k));
    return auditedNamespaces(model).map((ns): Verdict => {
      const resource = namespaceRef(ns);
      const evidence = namespaceEvidence(ns, model);
      const enforce = ns.levels.enforce;
      // Before 1.23 the label is read by no admission controller by default: not a pass. A fail
      // rather than not-evaluated, as nothing is missing from the snapshot: the version says it.
      if (model.admissionAbsent !== undefined) {
        return { status: 'fail', resource, message: `Namespace ${ns.name}: ${model.admissionAbsent}.`, evidence };
      }
      if (ns.hasEnforceLabel) {
        return { status: 'pass', resource, message: `Namespace ${ns.name} sets pod-security.kubernetes.io/enforce (effective level "${enforce.level}").`, evidence };
      }
      if (model.defaultsKnown && enforce.level !== 'privileged') {
        return { status: 'pass', resource, message: `Namespace ${ns.name} has no enforce label; the cluster's admission defaults enforce "${enforce.level}:${enforce.version}".`, evidence };
      }
      const why = model.defaultsKnown
        ? 'and the admission defaults enforce "privileged"'
        : 'and the cluster\'s admission defaults are unknown (an unconfigured cluster enforces "privileged", i.e. nothing)';
      const message = `Namespace ${ns.name} has no pod-security.kubernetes.io/enforce label ${why}`;
      if (engines.length === 0) {
        const ev = unreadable.length > 0 ? { ...evidence, policyEngines: `not looked for: ${unreadable.join(', ')} could not be read` } : evidence;
        return { status: 'fail', resource, message: `${message}: any pod, privileged ones included, is admitted.`, evidence: ev };
      }
      // Another admission engine may reject such pods, but its policies are not in the snapshot.
      return {
        status: 'fail', resource, severity: 'medium',
        message: `${message}. ${engineNames} ${engines.length === 1 ? 'runs' : 'run'} in the cluster and may enforce pod security here, but ztaudit cannot read ${engines.length === 1 ? 'its' : 'their'} policies: label the namespace so the guarantee is visible.`,
        evidence: {
          ...evidence,
          policyEngines: engines.map((e) => ({ name: e.name, workload: e.workload, matched: e.matched })),
          policyEnginesNote: 'policies of these engines are not evaluated by ztaudit',
        },
      };
    });
  },
  excluded(ctx) {
    return unseenNamespacesNote(podSecurityModel(ctx.snapshot, ctx.config), 'the enforce label was not judged there');
  },
  unjudgedNamespaces(ctx) {
    return unseenNamespaces(podSecurityModel(ctx.snapshot, ctx.config));
  },
};
