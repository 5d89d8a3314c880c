import type { Check } from '../../src/engine/types.ts';
import { podSecurityModel } from '../../src/analysis/pss/index.ts';
import { workloadVerdict } from '../../src/analysis/pss/verdicts.ts';
import { POD_SECURITY_POD } from '../controls.ts';

export const podViolatesTarget: Check = {
  id: 'pod-security.pod-violates-target',
  area: 'pod-security',
  title: 'Workloads satisfy the target Pod Security level',
  protectsAgainst: 'workloads that would be rejected once the target Pod Security level is enforced, so the rollout\'s blockers are known',
  severity: 'medium',
  controls: POD_SECURITY_POD,
  remediation:
    'Change the pod template as each listed check says (typically: `securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}` on the pod and `{allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}` on every container). If the workload truly needs more, run it in a separate namespace with a documented lower level.',
  needs: ['namespaces', 'pods'],
  *evaluate(ctx) {
    const model = podSecurityModel(ctx.snapshot, ctx.config);
    for (const w of model.workloads) {
      if (!w.target) continue;
      // Breaking a baseline check (privileged, host namespaces, ...) is worse than missing a restricted hardening.
      yield workloadVerdict(w, w.target, 'the target Pod Security level', (e) => (e.failsBaseline ? 'high' : undefined));
    }
  },
};
