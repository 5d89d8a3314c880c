// Protects against running pods that break their namespace's enforced Pod Security level (admitted before the label, or via an exemption).
// Controls: CIS-1.10:5.2.2-5.2.13, CIS-1.10:5.7.2, CIS-1.10:5.7.3, NSA-CISA:PS/pod-security-enforcement, NIST-800-53:CM-7, NIST-800-53:AC-6, NIST-800-207:T5.
import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { POD_CIS_CONTROLS, podSecurityModel } from '../../src/analysis/pss/index.ts';
import { workloadVerdict } from '../../src/analysis/pss/verdicts.ts';

export const podViolatesEnforcedLevel: Check = {
  id: 'pod-security.pod-violates-enforced-level',
  area: 'pod-security',
  title: 'Running pods satisfy their namespace\'s enforced Pod Security level',
  severity: 'high',
  controls: [...POD_CIS_CONTROLS, 'NSA-CISA:PS/pod-security-enforcement', 'NSA-CISA:PS/non-root-containers', 'NIST-800-53:CM-7', 'NIST-800-53:AC-6', 'NIST-800-207:T5'],
  remediation:
    'Fix the workload\'s pod template as each listed check says (the reasons are the API server\'s own), then roll it out; admission will reject any new pod of it until then. Pods created before the enforce label was set keep running unnoticed otherwise.',
  needs: ['namespaces', 'pods'],
  evaluate(ctx) {
    const model = podSecurityModel(ctx.snapshot, ctx.config);
    const out: Verdict[] = [];
    for (const w of model.workloads) {
      if (w.enforce) out.push(workloadVerdict(w, w.enforce, 'the namespace\'s enforced Pod Security level'));
    }
    return out;
  },
};
