import type { Verdict } from '../../src/base/vocabulary.ts';
import type { Check } from '../../src/engine/types.ts';
import { refString, stableVerdicts, type WorkloadVerdict } from '../../src/analysis/workloads.ts';
import { podSecurityModel } from '../../src/analysis/pss/index.ts';
import { ephemeralVerdict, workloadVerdict, type ExemptionWording } from '../../src/analysis/pss/verdicts.ts';
import { POD_SECURITY_POD } from '../controls.ts';

// An exempt pod is not a rollout blocker: enforcing the target leaves it running all the same.
const skippedByAdmission: ExemptionWording = (some, why) =>
  `Admission skips ${some === undefined ? 'its pods' : `${some} of the failing pods`}: ${why}, so enforcing the target would not reject ${some === undefined ? 'them' : 'those'} either.`;

// Upstream's admission evaluates an update of the pods/ephemeralcontainers subresource like a
// pod: it is not among ignoredPodSubresources (pod-security-admission admission.go ~316-325,
// "Any other subresource is expected to be a *v1.Pod type and is evaluated").
const TARGET_REFUSES = 'admission at the target level refuses attaching such a container (it judges the pods/ephemeralcontainers subresource)';

export const podViolatesTarget: Check = {
  id: 'pod-security.pod-violates-target',
  area: 'pod-security',
  title: 'Workloads satisfy the target Pod Security level',
  protectsAgainst: 'workloads that would be rejected once the target Pod Security level is enforced, so the rollout\'s blockers are known; pods an exemption (config podSecurity.exemptions) lets admission skip are judged too, since nothing else reports them; system namespaces are excluded by default and counted in the coverage section',
  severity: 'medium',
  controls: POD_SECURITY_POD,
  remediation:
    'Change the pod template as each listed check says (typically: `securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}` on the pod and `{allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}` on every container). If the workload truly needs more, run it in a separate namespace with a documented lower level. A pod reported for its ephemeral (debug) container: delete or restart the pod, and debug with a non-privileged profile (`kubectl debug --profile=restricted`). A workload that fails a baseline control (privileged, host namespaces, hostPath, added capabilities, ...) is high and one that misses only restricted hardening medium; a pod reported for its debug container stays medium (restarting it clears it); tune with config `checks: {pod-security.pod-violates-target: {severity: medium}}`.',
  needs: ['namespaces', 'pods'],
  *evaluate(ctx) {
    const model = podSecurityModel(ctx.snapshot, ctx.config);
    const debug: Verdict[] = [];
    function* judged(): Generator<WorkloadVerdict> {
      for (const w of model.workloads) {
        if (!w.target) continue;
        // Breaking a baseline check (privileged, host namespaces, ...) is worse than missing a restricted hardening.
        yield { workload: w.workload, verdict: workloadVerdict(w, w.target, 'the target Pod Security level', { failSeverity: (e) => (e.failsBaseline ? 'high' : undefined), exempt: skippedByAdmission, controls: POD_SECURITY_POD }) };
        // A debug container is no blocker of the rollout: enforcing the target neither refuses nor
        // evicts the running pod, and restarting it removes the container. So the check's own
        // severity, not high for breaking baseline.
        for (const d of w.debugPods ?? []) if (d.target) debug.push(ephemeralVerdict(w, d, d.target, 'the target Pod Security level', TARGET_REFUSES, POD_SECURITY_POD));
      }
    }
    // Under each workload's stable name: tomorrow's pod of the same CronWorkflow is this finding.
    yield* stableVerdicts(judged(), podViolatesTarget.severity);
    yield* debug;
  },
  excluded(ctx) {
    let workloads = 0;
    const failed: string[] = [];
    for (const w of podSecurityModel(ctx.snapshot, ctx.config).workloads) {
      if (!w.excludedTarget) continue;
      workloads++;
      if (!w.excludedTarget.allowed) failed.push(refString(w.workload.ref));
    }
    if (workloads === 0) return undefined;
    const examples = failed.sort().slice(0, 3);
    const more = failed.length > examples.length ? `, +${failed.length - examples.length} more` : '';
    return `${workloads} workload${workloads === 1 ? '' : 's'} in system namespaces (config systemNamespaces) excluded by default; ${failed.length} would fail the target level ${ctx.config.target.podSecurityLevel}${failed.length > 0 ? ` (${examples.join(', ')}${more})` : ''}`;
  },
};
