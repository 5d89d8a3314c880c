// Protects against workloads that would be rejected once the target Pod Security level is enforced, so the rollout's blockers are known.
// Controls: CIS-1.10:5.2.2-5.2.13, CIS-1.10:5.7.2, CIS-1.10:5.7.3, NSA-CISA:PS/pod-security-enforcement, NIST-800-53:CM-7, NIST-800-53:AC-6, NIST-800-207:T5.
import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { POD_CIS_CONTROLS, podSecurityModel } from '../../src/analysis/pss/index.ts';
import { workloadVerdict } from '../../src/analysis/pss/verdicts.ts';

export const podViolatesTarget: Check = {
  id: 'pod-security.pod-violates-target',
  area: 'pod-security',
  title: 'Workloads satisfy the target Pod Security level',
  severity: 'medium',
  controls: [...POD_CIS_CONTROLS, 'NSA-CISA:PS/pod-security-enforcement', 'NSA-CISA:PS/non-root-containers', 'NIST-800-53:CM-7', 'NIST-800-53:AC-6', 'NIST-800-207:T5'],
  remediation:
    'Change the pod template as each listed check says (typically: `securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}` on the pod and `{allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}` on every container). If the workload truly needs more, run it in a separate namespace with a documented lower level.',
  needs: ['namespaces', 'pods'],
  evaluate(ctx) {
    const model = podSecurityModel(ctx.snapshot, ctx.config);
    const out: Verdict[] = [];
    for (const w of model.workloads) {
      if (!w.target) continue;
      // Breaking a baseline check (privileged, host namespaces, ...) is worse than missing a restricted hardening.
      out.push(workloadVerdict(w, w.target, 'the target Pod Security level', (e) => (e.failsBaseline ? 'high' : undefined)));
    }
    return out;
  },
};
