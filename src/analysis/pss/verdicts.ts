// Shared wording and evidence for the pod-security checks, so namespace and workload
// findings read the same way in every check.

import { PROC_MOUNT_GATE, USERNS_SUPPORT_GATE } from './feature-gates.ts';
import type { ResourceRef, Severity, Verdict } from '../../base/vocabulary.ts';
import type { Snapshot } from '../../snapshot/types.ts';
import { refString } from '../workloads.ts';
import { cisControlsFor } from './controls.ts';
import { checkChangesBetween, checkLevel, type PssFailure } from './evaluate.ts';
import { HOST_NAMESPACE_FIELDS } from './checks.ts';
import { admissionAbsentReason, clusterMinor, compareLevels, effectiveMinor, parsePolicyVersion, type PssLevel } from './levels.ts';
import type { DebugPodPss, EphemeralEvaluation, NamespacePss, PodSetEvaluation, PssModel, WorkloadPss } from './model.ts';

export function namespaceRef(ns: NamespacePss): ResourceRef {
  return { kind: 'Namespace', name: ns.name };
}

/**
 * Namespaces the namespace-hygiene checks judge: in the input (not only named by pods: their
 * labels are unknown), not system, not exempt from admission.
 */
export function auditedNamespaces(model: PssModel): NamespacePss[] {
  return [...model.namespaces.values()].filter((ns) => ns.known && !ns.system && !ns.exempt);
}

/**
 * Whether the cluster's kube-apiserver runs Pod Security Admission (the model's admissionAbsent
 * gate, read from the version alone): the appliesTo of the checks that compare one label with
 * another, which mean nothing where no label is read (warn and audit included).
 */
export function admissionRuns(snapshot: Snapshot): boolean {
  return admissionAbsentReason(clusterMinor(snapshot.cluster?.version)) === undefined;
}

/** Their appliesWhen: said in the coverage section and by `explain` where they do not apply. */
export const WHEN_ADMISSION_RUNS = 'where Pod Security Admission runs: Kubernetes v1.23 or later, or a cluster version not known (before v1.23 no pod-security.kubernetes.io label, warn and audit included, is read by default; pod-security.enforce-missing and pod-security.enforce-below-target fail every namespace with the reason)';

const UNSEEN_SHOWN = 5;

/**
 * The namespaces workloads name that the input does not hold (not system, not refused for an
 * invalid label, and unless `exemptToo` not exempt), sorted: their labels are unknown, so the
 * checks judge nothing there this run. The pod-security checks' `unjudgedNamespaces`: the diff
 * carries their earlier findings there instead of resolving them. O(namespaces).
 */
export function unseenNamespaces(model: PssModel, opts: { exemptToo?: boolean } = {}): string[] {
  return [...model.namespaces.values()].filter((ns) => !ns.known && !ns.refused && !ns.system && (opts.exemptToo || !ns.exempt)).map((ns) => ns.name).sort();
}

/**
 * What the namespace checks leave out (their `excluded`): the namespaces that workloads name but
 * the input does not hold, whose labels are unknown, those from manifests that the API server
 * would refuse for an invalid Pod Security label, and (unless `exemptToo`: the check judges
 * them) the exempt ones, where admission skips every mode whatever the labels say, and then the
 * system namespaces in the input too (config systemNamespaces), which no namespace check judges;
 * undefined when there are none. System namespaces are left out of the first three.
 */
export function unseenNamespacesNote(model: PssModel, what: string, opts: { exemptToo?: boolean } = {}): string | undefined {
  const left = [...model.namespaces.values()].filter((ns) => !ns.known && !ns.system && (opts.exemptToo || !ns.exempt));
  const unseen = unseenNamespaces(model, opts);
  const refused = left.filter((ns) => ns.refused).map((ns) => ns.name).sort();
  const notes: string[] = [];
  if (unseen.length > 0) {
    notes.push(`${unseen.length === 1 ? 'namespace' : `${unseen.length} namespaces`} ${shownNames(unseen)} ${unseen.length === 1 ? 'is' : 'are'} not in the input (only ${unseen.length === 1 ? 'its' : 'their'} workloads are): ${unseen.length === 1 ? 'its' : 'their'} Pod Security labels are unknown, so ${what}; include the Namespace objects (or audit the live cluster)`);
  }
  if (refused.length > 0) {
    notes.push(`${refused.length === 1 ? 'namespace' : `${refused.length} namespaces`} ${shownNames(refused)} ${refused.length === 1 ? 'has' : 'have'} a Pod Security label value the API server refuses to create a Namespace with (pod-security.invalid-label), so no level is enforced there and ${what}`);
  }
  // https://kubernetes.io/docs/concepts/security/pod-security-admission/#exemptions
  const exempt = opts.exemptToo ? [] : [...model.namespaces.values()].filter((ns) => ns.exempt && !ns.system).map((ns) => ns.name).sort();
  if (exempt.length > 0) {
    notes.push(`${exempt.length === 1 ? 'namespace' : `${exempt.length} namespaces`} ${shownNames(exempt)} ${exempt.length === 1 ? 'is' : 'are'} exempt (config podSecurity.exemptions.namespaces): admission enforces nothing there`);
  }
  // The namespace checks judge none of the system namespaces in the input: said, so a pass (and
  // the CIS 5.2.1 row it makes) is not read as covering kube-system. The workload check at the
  // enforced level (exemptToo) judges their workloads, and says nothing of them.
  const system = opts.exemptToo ? [] : [...model.namespaces.values()].filter((ns) => ns.known && ns.system).map((ns) => ns.name).sort();
  if (system.length > 0) {
    notes.push(`${system.length === 1 ? 'system namespace' : `${system.length} system namespaces`} ${shownNames(system)} (config systemNamespaces) ${system.length === 1 ? 'is' : 'are'} left out by default, so ${what}`);
  }
  return notes.length === 0 ? undefined : notes.join('; ');
}

/** At most five names, then "and N more". */
export const shownNames = (names: string[]): string => names.slice(0, UNSEEN_SHOWN).join(', ') + (names.length > UNSEEN_SHOWN ? ` and ${names.length - UNSEEN_SHOWN} more` : '');

/** Evidence every namespace finding carries: labels as found and the effective policy. */
export function namespaceEvidence(ns: NamespacePss, model: PssModel): Record<string, unknown> {
  const { enforce, audit, warn } = ns.levels;
  return {
    labels: ns.psaLabels,
    effective: {
      enforce: `${enforce.level}:${enforce.version} (${enforce.levelSource})`,
      audit: `${audit.level}:${audit.version} (${audit.levelSource})`,
      warn: `${warn.level}:${warn.version} (${warn.levelSource})`,
    },
    admissionDefaults: model.defaultsKnown ? 'from config.podSecurity.defaults' : 'unknown (assumed privileged, as in an unconfigured cluster)',
    // Below v1.23 the levels above are only labels: said beside them, so no reader takes one as enforced.
    ...(model.admissionAbsent !== undefined ? { podSecurityAdmission: `none: ${model.admissionAbsent}` } : {}),
  };
}

/** A level at a version, as a namespace mode or the target names it ('latest' or 'v1.N'). */
export interface LevelAtVersion {
  level: PssLevel;
  version: string;
}

/** 'restricted:latest (v1.36)': the policy as named, and the version whose rules apply when that differs. */
export function policyText(p: LevelAtVersion, model: Pick<PssModel, 'evaluationCap'>): string {
  const effective = `v1.${effectiveMinor(parsePolicyVersion(p.version) ?? 'latest', model.evaluationCap)}`;
  return p.version === effective ? `${p.level}:${p.version}` : `${p.level}:${p.version} (${effective})`;
}

/**
 * The checks `other` enforces that `enforced` does not because of its older version alone:
 * those `other`'s level added or tightened between the two effective versions. Empty when
 * the enforced level is weaker (that is a finding of its own) or `other` is privileged. A
 * stricter enforced level does not cover them: restricted at a version runs baseline's checks
 * of that version (policy/registry.go), e.g. restricted:v1.0 has no seccompProfile field check.
 */
export function checksMissingByVersion(enforced: LevelAtVersion, other: LevelAtVersion, model: Pick<PssModel, 'evaluationCap'>): readonly string[] {
  if (other.level === 'privileged' || compareLevels(enforced.level, other.level) < 0) return [];
  const minor = (v: string) => effectiveMinor(parsePolicyVersion(v) ?? 'latest', model.evaluationCap);
  return checkChangesBetween(other.level, minor(enforced.version), minor(other.version)).tightened;
}

export const policyString = (e: Pick<PodSetEvaluation, 'level' | 'version' | 'effectiveVersion'>): string =>
  e.version === e.effectiveVersion ? `${e.level}:${e.version}` : `${e.level}:${e.version} (${e.effectiveVersion})`;

/** What a verdict says of a list of failures: its checks and CIS controls (frozen: shared), its reasons. */
interface Told {
  checks: ReadonlyArray<{ id: string; level: string | undefined; reason: string }>;
  controls: readonly string[];
  reasons: string;
  /** A check that keeps containers from running as root fails (runAsNonRoot, runAsUser). */
  nonRoot: boolean;
  /** The failing verdict's extent: its violations (violationsOf). */
  extent: NonNullable<Verdict['extent']>;
  /** Per check's control list, the list a verdict of these failures carries (controlsCarried). */
  carried: Map<readonly string[], readonly string[]>;
}

/**
 * Per failures list: the model shares one list among the workloads of a pod class (tens of
 * thousands at 150k pods), so each list's words are made once. Frozen, so the audit's string
 * sharing (src/engine/audit.ts) also steps over them.
 */
const told = new WeakMap<readonly PssFailure[], Told>();
function toldOf(failures: readonly PssFailure[]): Told {
  let t = told.get(failures);
  if (!t) {
    t = Object.freeze({
      checks: Object.freeze(failures.map((f) => Object.freeze({ id: f.id, level: checkLevel(f.id), reason: f.reason }))),
      controls: Object.freeze(cisControlsFor(failures)),
      reasons: failures.map((f) => f.reason).join('; '),
      nonRoot: failures.some((f) => f.id === 'runAsNonRoot' || f.id === 'runAsUser'),
      extent: Object.freeze({ unit: 'violations', members: violationsOf(failures) }),
      carried: new Map(),
    });
    told.set(failures, t);
  }
  return t;
}

/**
 * What a failing verdict fails, as its extent lists it (src/run/extent.ts): each failed check by
 * its id, the hostNamespaces check by each field it failed ("hostNamespaces:hostPID"), as
 * upstream judges hostNetwork, hostPID and hostIPC each on its own (policy/check_hostNamespaces.go;
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/ "Host Namespaces"). So a
 * workload whose finding keeps its fingerprint and severity while it newly fails a check, or one
 * more host namespace, is a finding that widened: a regression, and growth beyond its waiver.
 */
function violationsOf(failures: readonly PssFailure[]): readonly string[] {
  const out = new Set<string>();
  for (const f of failures) {
    const fields = f.id === 'hostNamespaces' ? HOST_NAMESPACE_FIELDS.filter((field) => f.forbiddenDetail.includes(`${field}=`)) : [];
    if (fields.length === 0) out.add(f.id);
    for (const field of fields) out.add(`${f.id}:${field}`);
  }
  return Object.freeze([...out]);
}

const NON_ROOT_CONTROL = 'NSA-CISA:PS/non-root-containers';

/**
 * Per check's control list, the lists its failing verdicts carry, one per distinct combination
 * (a few dozen at most), never one per verdict: a finding keeps its list until the report is
 * written, and the findings spool writes a list once while the next finding's is the same object.
 */
const carried = new WeakMap<readonly string[], Map<string, readonly string[]>>();

/**
 * The controls a failing verdict bears on, of its check's `controls` and in their order: the
 * CIS items its failures map to, NSA/CISA's non-root item only when runAsNonRoot or runAsUser
 * fails, and the framework-wide items (Pod Security enforcement, NIST) always.
 */
function controlsCarried(t: Told, checkControls: readonly string[]): readonly string[] {
  // Once per failures list and check: a pod class's verdicts (thousands) share one Told.
  let list = t.carried.get(checkControls);
  if (list !== undefined) return list;
  let byKey = carried.get(checkControls);
  if (byKey === undefined) carried.set(checkControls, (byKey = new Map()));
  const key = `${t.nonRoot ? '+' : '-'}${t.controls.join(' ')}`;
  list = byKey.get(key);
  if (list === undefined) {
    const cis = new Set(t.controls);
    list = Object.freeze(checkControls.filter((c) => (c.startsWith('CIS-') ? cis.has(c) : c !== NON_ROOT_CONTROL || t.nonRoot)));
    byKey.set(key, list);
  }
  t.carried.set(checkControls, list);
  return list;
}

/** Why admission skips a workload's pods: the exemption in config that names them. */
function exemptionText(exemptBy: NonNullable<WorkloadPss['exemptBy']>): string {
  if ('namespace' in exemptBy) return `namespace ${exemptBy.namespace} is exempt from Pod Security Admission (config podSecurity.exemptions.namespaces)`;
  const names = exemptBy.runtimeClasses;
  return `runtimeClassName ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} exempt from Pod Security Admission (config podSecurity.exemptions.runtimeClasses)`;
}

/**
 * What a failing verdict adds when some failing pods are exempt: `some` is undefined when all
 * of them are, else how many; `why` names the exemption.
 */
export type ExemptionWording = (some: number | undefined, why: string) => string;

export interface WorkloadVerdictOptions {
  failSeverity?: (e: PodSetEvaluation) => Severity | undefined;
  exempt?: ExemptionWording;
  /** Added when the current template (judged beside pods unlike it) fails: what that does to this workload. */
  currentTemplate?: (w: WorkloadPss) => string;
  /**
   * A mutating webhook, or a policy engine that may mutate, runs in the cluster: PodSecurity
   * judges pods after mutating admission, so a refusal judged from the template is worded "unless
   * a mutating webhook changes it".
   */
  mayMutate?: boolean;
  /** The check's controls: a failing verdict carries those its failures bear on (controlsCarried). */
  controls?: readonly string[];
}

/** One verdict for a workload's pods evaluated at a policy. */
export function workloadVerdict(w: WorkloadPss, e: PodSetEvaluation, what: string, opts: WorkloadVerdictOptions = {}): Verdict {
  const ref = w.workload.ref;
  const evidence: Record<string, unknown> = {
    namespace: w.namespace,
    policy: policyString(e),
    podCount: w.workload.podCount,
    evaluatedPods: e.evaluatedPods,
    failingPods: e.failingPods,
  };
  if (w.exemptBy) {
    evidence.exemption = w.exemptBy;
    evidence.exemptPods = w.exemptPods;
  }
  if (e.allowed) {
    const pass: Verdict = { status: 'pass', resource: ref, message: `${refString(ref)} satisfies ${what} "${policyString(e)}".`, evidence };
    if (e.procMountDropped) procMountResetNote(pass, evidence);
    createdNotes(e, pass, evidence);
    return pass;
  }
  const told = toldOf(e.failures);
  evidence.failingPodNames = e.failingPodNames;
  evidence.checks = told.checks;
  evidence.controls = told.controls;
  const podsCounted = `${e.failingPods} of ${e.evaluatedPods} ${e.evaluatedPods === 1 ? 'pod' : 'pods'}`;
  const refused = w.refusedPods && e === w.enforce ? w.refusedPods : undefined;
  if (refused?.count !== undefined) evidence.wantedPods = refused.count;
  const podsPhrase = refused
    ? `it runs none of its ${refused.count === undefined ? '' : `${refused.count} `}${refused.count === 1 ? 'pod' : 'pods'}: admission refuses every pod its template makes${opts.mayMutate ? ' (unless a mutating webhook changes it)' : ''}, as the template violates`
    : w.templateOnly
    ? 'it runs no pods now, and its pod template violates'
    : e.currentTemplateFails && e.failingPods === 0
    ? 'its current pod template violates'
    : e.currentTemplateFails
    ? `${podsCounted} and its current pod template violate`
    : w.workload.pods.some((p) => p.origin === 'template')
    ? 'its pod template violates'
    : `${e.failingPods} of ${e.evaluatedPods} ${e.evaluatedPods === 1 ? 'pod violates' : e.failingPods === 1 ? 'pods violates' : 'pods violate'}`;
  const verdict: Verdict = {
    status: 'fail',
    resource: ref,
    message: `${refString(ref)}: ${podsPhrase} ${what} "${policyString(e)}": ${told.reasons}.`,
    evidence,
    extent: told.extent,
    ...(opts.controls ? { controls: controlsCarried(told, opts.controls) } : {}),
  };
  if (e.currentTemplateFails !== undefined) evidence.currentTemplateFails = e.currentTemplateFails;
  if (e.currentTemplateFails && e.failingPods === 0) verdict.message += ` Its ${e.evaluatedPods} running ${e.evaluatedPods === 1 ? 'pod does' : 'pods do'} not (none is of its current revision: made from an earlier template).`;
  const pending = w.workload.notRolledOut;
  if (e.currentTemplateFails && pending !== undefined) {
    evidence.notRolledOut = pending;
    verdict.message += ` ${NOT_ROLLED_OUT[pending]}`;
  }
  if (e.currentTemplateFails && opts.currentTemplate) verdict.message += ` ${opts.currentTemplate(w)}`;
  if (w.exemptBy && e.failingExemptPods > 0 && opts.exempt) {
    evidence.failingExemptPods = e.failingExemptPods;
    verdict.message += ` ${opts.exempt(e.failingExemptPods === e.failingPods ? undefined : e.failingExemptPods, exemptionText(w.exemptBy))}`;
  }
  if (e.userNamespaceGate) {
    evidence.userNamespacesPodSecurityStandards = e.userNamespaceGate === 'unknown' ? `${unknownRead(e)}, so read as off` : USERNS_GATE_READ[e.userNamespaceGate];
    if (e.userNamespaceGate !== 'off') verdict.message += ` A failing pod runs in a user namespace (hostUsers: false), which a 1.29-1.34 kube-apiserver with the UserNamespacesPodSecurityStandards feature gate on exempts from runAsNonRoot and runAsUser (from 1.31 also from the baseline procMount); that gate was ${evidence.userNamespacesPodSecurityStandards}. It also needs the ${USERNS_SUPPORT_GATE} feature gate, on by default from 1.33, turned on explicitly before; without it hostUsers: false is dropped and the pod shares the node's user IDs.`;
  }
  if (e.userNamespacesSupport) {
    evidence.userNamespacesPodSecurityStandards = 'on';
    evidence.userNamespacesSupport = e.userNamespacesSupport === 'unknown' ? unknownRead(e) : USERNS_SUPPORT_READ[e.userNamespacesSupport];
    verdict.message += ` A failing pod runs in a user namespace (hostUsers: false), and the kube-apiserver has the UserNamespacesPodSecurityStandards feature gate on, which exempts such a pod from runAsNonRoot and runAsUser (from 1.31 also from the baseline procMount) only where the ${USERNS_SUPPORT_GATE} feature gate is on too: without it the API server drops hostUsers: false, and admission then refuses the pod. That gate was ${evidence.userNamespacesSupport}, so the exemption ${e.userNamespacesSupport === 'off' ? 'does not apply' : 'cannot be confirmed and is not counted'}.`;
  }
  if (e.procMountDropped) procMountResetNote(verdict, evidence);
  createdNotes(e, verdict, evidence);
  if (e.procMountType) {
    evidence.procMountType = e.procMountType === 'unknown' ? unknownRead(e) : PROC_MOUNT_READ[e.procMountType];
    verdict.message += ` Its procMount failure cannot be confirmed: a kube-apiserver with the ${PROC_MOUNT_GATE} feature gate off (its default before 1.33) resets a container's procMount to Default when it creates the pod, before admission judges it, and that gate was ${evidence.procMountType}.`;
  }
  const severity = opts.failSeverity?.(e);
  if (severity) verdict.severity = severity;
  return verdict;
}

/**
 * Why a Deployment's current template has no pods yet (Workload.notRolledOut). A paused
 * Deployment's template edits are rolled out once it is resumed
 * (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#pausing-and-resuming-a-deployment).
 */
const NOT_ROLLED_OUT: Record<NonNullable<WorkloadPss['workload']['notRolledOut']>, string> = {
  paused: 'The template is not rolled out yet: the Deployment is paused (spec.paused), and resuming it (kubectl rollout resume) makes its new pods from this template.',
  unobserved: 'The template is not rolled out yet: the Deployment controller has not acted on the change (status.observedGeneration is below metadata.generation); its new pods will come from this template.',
};

/** Adds to a verdict that a procMount was judged as the Default the API server resets it to (PodSetEvaluation.procMountDropped). */
function procMountResetNote(v: Verdict, evidence: Record<string, unknown>): void {
  evidence.procMountType = PROC_MOUNT_OFF;
  v.message += ` A container sets securityContext.procMount other than Default, which the API server resets to Default when it creates the pod, as the ${PROC_MOUNT_GATE} feature gate is ${PROC_MOUNT_OFF}: admission judges, and the pod runs with, the default /proc masking, so procMount was judged as Default.`;
}

/**
 * Adds to a verdict what the API server changed in a pod it creates before admission judged it
 * (PodSetEvaluation.seccompCopied, hostUsersDropped).
 */
function createdNotes(e: PodSetEvaluation, v: Verdict, evidence: Record<string, unknown>): void {
  if (e.seccompCopied) {
    evidence.seccompAnnotationsCopied = true;
    v.message += ' A seccomp annotation (seccomp.security.alpha.kubernetes.io/pod or container.seccomp.security.alpha.kubernetes.io/<name>) stands where securityContext.seccompProfile is unset: a 1.19-1.26 API server copies it into that field when it creates the pod, before admission judges it, so the field was judged as copied.';
  }
  if (e.hostUsersDropped) {
    evidence.userNamespacesSupport = e.hostUsersDropped === 'unknown' ? unknownRead(e) : HOST_USERS_SUPPORT_READ[e.hostUsersDropped];
    v.message += ` A pod sets hostUsers: false, which exempts it from runAsNonRoot, runAsUser and the baseline procMount from policy 1.35 only where the ${USERNS_SUPPORT_GATE} feature gate is on: without it the API server drops hostUsers when it creates the pod, before admission judges it, and the pod shares the node's user IDs. That gate was ${evidence.userNamespacesSupport}, so ${e.hostUsersDropped === 'off' ? 'hostUsers was judged dropped' : 'the exemption cannot be confirmed and is not counted'}.`;
  }
}

/** How UserNamespacesSupport was read on a 1.35+ cluster where hostUsers is judged dropped (PodSetEvaluation.hostUsersDropped), as evidence says it. */
const HOST_USERS_SUPPORT_READ: Record<Exclude<NonNullable<PodSetEvaluation['hostUsersDropped']>, 'unknown'>, string> = {
  off: "off in every kube-apiserver Pod (their --feature-gates at the release they run or emulate)",
  mixed: 'on in only some kube-apiserver Pods',
};

/** A gate read as unknown, with why (PodSetEvaluation.gateUnknownReason). */
const unknownRead = (e: PodSetEvaluation): string => `not known (${e.gateUnknownReason ?? 'a kube-apiserver Pod\'s --emulated-version cannot be read'})`;

const PROC_MOUNT_OFF = 'off in every kube-apiserver Pod (its --feature-gates, or its default before 1.33 at the release it runs or emulates)';

/** How ProcMountType was read when whether it resets procMount cannot be confirmed (PodSetEvaluation.procMountType), as evidence says it. */
const PROC_MOUNT_READ: Record<Exclude<NonNullable<PodSetEvaluation['procMountType']>, 'unknown'>, string> = {
  unseen: 'not seen (no kube-apiserver Pod in kube-system shows its flags) on a release where it is off by default',
  mixed: 'off in only some kube-apiserver Pods',
};

/** How UserNamespacesSupport was read when the other gate is on (PodSetEvaluation.userNamespacesSupport), as evidence says it. */
const USERNS_SUPPORT_READ: Record<Exclude<NonNullable<PodSetEvaluation['userNamespacesSupport']>, 'unknown'>, string> = {
  off: 'off (the kube-apiserver Pods\' --feature-gates, or its default before 1.33 at the release they run or emulate)',
  mixed: 'on in only some kube-apiserver Pods',
};

/** How the UserNamespacesPodSecurityStandards gate was read (PodSetEvaluation.userNamespaceGate), as evidence says it. */
const USERNS_GATE_READ: Record<Exclude<NonNullable<PodSetEvaluation['userNamespaceGate']>, 'unknown'>, string> = {
  unseen: 'not seen (no kube-apiserver Pod in kube-system shows its flags), so read as off, its default',
  mixed: 'on in only some kube-apiserver Pods, so read as off',
  off: 'off (the kube-apiserver Pods\' --feature-gates)',
};

/**
 * The verdict on a pod whose ephemeral (debug) containers break a policy its workload's pods
 * otherwise meet or fail on their own: reported on the pod, since no template makes them.
 * `admission` says what admission does at this policy with such a container (the check's own
 * words); left out when admission skips the pod (an exempt namespace or runtime class).
 * `checkControls`: the check's controls, of which the verdict carries those its failures bear on.
 */
export function ephemeralVerdict(w: WorkloadPss, d: DebugPodPss, e: EphemeralEvaluation, what: string, admission: string, checkControls: readonly string[]): Verdict {
  const told = toldOf(e.failures);
  const resource: ResourceRef = { kind: 'Pod', namespace: d.pod.namespace, name: d.pod.name };
  const names = d.containers.map((n) => JSON.stringify(n));
  const workload = refString(w.workload.ref);
  const template = e.workloadPasses ? 'the pod template passes' : `${workload} fails on its own (reported there)`;
  const exempt = d.exempt && w.exemptBy ? ` Admission skips this pod: ${exemptionText(w.exemptBy)}.` : '';
  return {
    status: 'fail',
    resource,
    message: `pod ${d.pod.namespace}/${d.pod.name} of ${workload} has ephemeral (debug) ${names.length === 1 ? 'container' : 'containers'} ${names.join(', ')} that ${names.length === 1 ? 'violates' : 'violate'} ${what} "${policyString(e)}": ${told.reasons}; ${template}${exempt ? '' : `; ${admission}`}.${exempt} Delete or restart the pod to remove ${names.length === 1 ? 'it' : 'them'}; debug with a non-privileged profile (kubectl debug --profile=restricted).`,
    evidence: {
      namespace: d.pod.namespace,
      workload: w.workload.ref,
      ephemeralContainers: d.containers,
      policy: policyString(e),
      checks: told.checks,
      controls: told.controls,
      workloadPasses: e.workloadPasses,
      ...(d.exempt && w.exemptBy ? { exemption: w.exemptBy } : {}),
    },
    controls: controlsCarried(told, checkControls),
    extent: told.extent,
  };
}
