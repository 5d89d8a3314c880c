import type { Verdict } from '../../src/base/vocabulary.ts';
import type { Check } from '../../src/engine/types.ts';
import { stableVerdicts, type WorkloadVerdict } from '../../src/analysis/workloads.ts';
import { ENGINE_KINDS, admissionPolicyEngines, podSecurityModel, type PssModel, type WorkloadPss } from '../../src/analysis/pss/index.ts';
import { ephemeralVerdict, shownNames, unseenNamespaces, unseenNamespacesNote, workloadVerdict, type ExemptionWording } from '../../src/analysis/pss/verdicts.ts';
import { POD_SECURITY_POD } from '../controls.ts';

// Admission would have rejected these pods at creation; it skipped them.
const admittedByExemption: ExemptionWording = (some, why) =>
  `${some === undefined ? 'It is' : `${some} of the failing pods ${some === 1 ? 'is' : 'are'}`} admitted only because ${why}.`;

// Enforce judges pods at creation, not templates: the controller's new pods are refused. What
// that stops depends on the controller: a Deployment's old ReplicaSet keeps (and recreates) its
// pods from the old template (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-update-deployment);
// a CronJob's change reaches only its next Jobs (https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#modifying-a-cronjob);
// a StatefulSet or DaemonSet recreates a deleted pod from the current template
// (https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#update-strategies), a
// StatefulSet's pods below a rolling update's partition from the earlier one.
const REJECTED = 'Admission rejects every new pod the current template makes (after any mutating webhook has changed it)';
const currentTemplateRejected = (w: WorkloadPss): string => {
  const kind = w.workload.ref.kind;
  if (kind === 'Deployment') return `${REJECTED}, so its rollout stalls${w.workload.notRolledOut === 'paused' ? ' once resumed' : ''}; the old ReplicaSet keeps serving until the template is fixed.`;
  if (kind === 'CronJob') return `${REJECTED}, so the pods of its next runs are refused until the template is fixed.`;
  if (kind === 'Job') return `${REJECTED}, so the new pods it needs are refused until the template is fixed.`;
  const s = w.workload.updateStrategy;
  if ((kind === 'StatefulSet' || kind === 'DaemonSet') && s?.type === 'RollingUpdate') {
    const which = s.partition !== undefined ? `a deleted pod at ordinal ${s.partition} or above` : 'a deleted or evicted pod';
    return `${REJECTED}, so its rolling update stalls at the first pod it replaces, and ${which} is not replaced, until the template is fixed.`;
  }
  return `${REJECTED}, so a deleted or evicted pod is not replaced until the template is fixed.`;
};

// Admission judges an update of the pods/ephemeralcontainers subresource like a pod (it is not
// among admission.go's ignoredPodSubresources): a debug container breaking the enforced level
// that runs now was attached before the label, or through an exemption.
const ENFORCE_REFUSES = 'admission at this level refuses attaching such a container (it judges the pods/ephemeralcontainers subresource), so it was attached before the namespace enforced it or through an exemption';

// "The Privileged policy is purposely-open, and entirely unrestricted"
// (https://kubernetes.io/docs/concepts/security/pod-security-standards/): a pod meeting it was
// checked for nothing, so it is no verdict (a weighted pass would raise the score as a privileged
// pod is added). Left out and said so, as the level labelled or assumed without a label.
const enforcesNothing = (w: WorkloadPss): boolean => w.enforce?.level === 'privileged';

/** The namespaces whose enforced level is privileged, each with how it came to be (its label, or admission defaults assumed). */
function privilegedNote(model: PssModel): string | undefined {
  const namespaces = new Map<string, number>();
  for (const w of model.workloads) if (enforcesNothing(w)) namespaces.set(w.namespace, (namespaces.get(w.namespace) ?? 0) + 1);
  if (namespaces.size === 0) return undefined;
  const workloads = [...namespaces.values()].reduce((s, n) => s + n, 0);
  const names = [...namespaces.keys()].sort();
  const labelled = names.filter((n) => model.namespaces.get(n)?.levels.enforce.levelSource === 'label');
  const how = labelled.length === names.length ? 'by its label' : labelled.length === 0 ? (model.defaultsKnown ? 'by the admission defaults (no label)' : 'assumed: no label, admission defaults unknown') : 'by label or admission defaults';
  return `${workloads === 1 ? '1 workload' : `${workloads} workloads`} in ${names.length === 1 ? 'namespace' : `${names.length} namespaces`} ${shownNames(names)} enforcing "privileged" (${how}) ${workloads === 1 ? 'was' : 'were'} not judged: that level is purposely open and restricts nothing, so meeting it is no pass (pod-security.pod-violates-target judges those outside system namespaces at the target level)`;
}

export const podViolatesEnforcedLevel: Check = {
  id: 'pod-security.pod-violates-enforced-level',
  area: 'pod-security',
  title: 'Running pods satisfy their namespace\'s enforced Pod Security level',
  protectsAgainst: 'running pods that break their namespace\'s enforced Pod Security level (admitted before the label, or via an exemption), and workloads whose current pod template breaks it while none of their running pods is of that current revision (or that run no pods at all while their controller wants some), so admission refuses the pods their controller makes next',
  severity: 'high',
  controls: POD_SECURITY_POD,
  remediation:
    'Fix the workload\'s pod template as each listed check says (the reasons are the API server\'s own), then roll it out; admission will reject any new pod of it until then. Pods created before the enforce label was set keep running unnoticed otherwise. A pod reported for its ephemeral (debug) container: delete or restart the pod, and debug with a non-privileged profile (`kubectl debug --profile=restricted`).',
  needs: ['namespaces', 'pods'],
  // PodSecurity validates pods after mutating admission
  // (https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/): with a
  // mutating webhook or a policy engine in the cluster, what it judges may not be the template.
  readsBestEffort: ['mutatingwebhookconfigurations', ...ENGINE_KINDS],
  *evaluate(ctx) {
    const model = podSecurityModel(ctx.snapshot, ctx.config);
    const mayMutate = (ctx.snapshot.resources.mutatingwebhookconfigurations ?? []).length > 0 || admissionPolicyEngines(ctx.snapshot).length > 0;
    const debug: Verdict[] = [];
    function* judged(): Generator<WorkloadVerdict> {
      for (const w of model.workloads) {
        if (w.enforce && !enforcesNothing(w)) yield { workload: w.workload, verdict: workloadVerdict(w, w.enforce, 'the namespace\'s enforced Pod Security level', { exempt: admittedByExemption, currentTemplate: currentTemplateRejected, mayMutate, controls: POD_SECURITY_POD }) };
        for (const d of w.debugPods ?? []) if (d.enforce) debug.push(ephemeralVerdict(w, d, d.enforce, 'the namespace\'s enforced Pod Security level', ENFORCE_REFUSES, POD_SECURITY_POD));
      }
    }
    // Under each workload's stable name: tomorrow's pod of the same CronWorkflow is this finding.
    yield* stableVerdicts(judged(), podViolatesEnforcedLevel.severity);
    yield* debug;
  },
  excluded(ctx) {
    const model = podSecurityModel(ctx.snapshot, ctx.config);
    if (model.admissionAbsent !== undefined) return `no workload was judged at an enforced level: ${model.admissionAbsent} (pod-security.pod-violates-target still judges them)`;
    const notes = [unseenNamespacesNote(model, 'workloads there were not judged at the enforced level', { exemptToo: true }), privilegedNote(model)].filter((n) => n !== undefined);
    return notes.length === 0 ? undefined : notes.join('; ');
  },
  unjudgedNamespaces(ctx) {
    return unseenNamespaces(podSecurityModel(ctx.snapshot, ctx.config), { exemptToo: true });
  },
};
