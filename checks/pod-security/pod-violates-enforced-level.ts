import type { Check } from '../../src/engine/types.ts';
import { podSecurityModel } from '../../src/analysis/pss/index.ts';
import { unseenNamespacesNote, workloadVerdict, type ExemptionWording } from '../../src/analysis/pss/verdicts.ts';
import { POD_SECURITY_POD } from '../controls.ts';

// Admission would have rejected these pods at creation; it skipped them.
const admittedByExemption: ExemptionWording = (some, why) =>
  `${some === undefined ? 'It is' : `${some} of the failing pods ${some === 1 ? 'is' : 'are'}`} admitted only because ${why}.`;

// Enforce judges pods at creation, not templates: the controller's new pods are refused.
const CURRENT_TEMPLATE_REJECTED =
  'Admission rejects every new pod the current template makes (unless a mutating webhook fixes it first), so its rollout is blocked, and a deleted or evicted pod is not replaced, until the template is fixed.';

export const podViolatesEnforcedLevel: Check = {
  id: 'pod-security.pod-violates-enforced-level',
  area: 'pod-security',
  title: 'Running pods satisfy their namespace\'s enforced Pod Security level',
  protectsAgainst: 'running pods that break their namespace\'s enforced Pod Security level (admitted before the label, or via an exemption), and workloads whose current pod template breaks it while their running pods (from an earlier template) do not, so admission blocks their rollout',
  severity: 'high',
  controls: POD_SECURITY_POD,
  remediation:
    'Fix the workload\'s pod template as each listed check says (the reasons are the API server\'s own), then roll it out; admission will reject any new pod of it until then. Pods created before the enforce label was set keep running unnoticed otherwise.',
  needs: ['namespaces', 'pods'],
  *evaluate(ctx) {
    const model = podSecurityModel(ctx.snapshot, ctx.config);
    for (const w of model.workloads) {
      if (w.enforce) yield workloadVerdict(w, w.enforce, 'the namespace\'s enforced Pod Security level', { exempt: admittedByExemption, currentTemplate: CURRENT_TEMPLATE_REJECTED });
    }
  },
  excluded(ctx) {
    return unseenNamespacesNote(podSecurityModel(ctx.snapshot, ctx.config), 'workloads there were not judged at the enforced level', { exemptToo: true });
  },
};
