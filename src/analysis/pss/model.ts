// The Pod Security model of one snapshot under one config: each namespace's effective
// enforce/audit/warn policy (labels over admission defaults), and each workload's pods
// evaluated at its namespace's enforce level and at the configured target level. Built once
// and shared by every pod-security check.
//
// Admission semantics kept: exempt namespaces skip every mode; pods whose runtimeClassName is
// exempt are skipped; `latest` (and newer pinned versions) mean the cluster's own version when
// it is known, since that is the newest policy its apiserver can enforce. System namespaces
// are not exempt from the labels they carry (admission does not special-case them); they are
// only left out of the namespace-hygiene and target checks.

import type { Config } from '../../config/types.ts';
import type { Snapshot } from '../../snapshot/types.ts';
import { memoizeBySnapshotAndConfig } from '../memo.ts';
import { workloadsOf, type PodView, type Workload } from '../workloads.ts';
import { checkIdsAt, evaluatePod, type PssFailure } from './evaluate.ts';
import { parseNamespaceLevels, LABEL_PREFIX, type NamespaceLevels, type PssDefaults } from './labels.ts';
import { LATEST_MINOR, clusterMinor, effectiveMinor, isPssLevel, parsePolicyVersion, type PssLevel } from './levels.ts';

export interface NamespacePss {
  name: string;
  /** Listed in config.systemNamespaces. */
  system: boolean;
  /** Listed in config.podSecurity.exemptions.namespaces: admission skips every mode. */
  exempt: boolean;
  /** False for a namespace that pods reference but the snapshot does not hold. */
  known: boolean;
  levels: NamespaceLevels;
  /** The namespace's pod-security.kubernetes.io/* labels as found. */
  psaLabels: Record<string, string>;
  hasEnforceLabel: boolean;
}

export interface PodSetEvaluation {
  level: PssLevel;
  /** The version as configured ('latest' or 'v1.N'). */
  version: string;
  /** The version whose rules were applied, e.g. 'v1.36'. */
  effectiveVersion: string;
  allowed: boolean;
  evaluatedPods: number;
  failingPods: number;
  /** Up to five names of failing pods (templates are named "<workload> (template)"). */
  failingPodNames: string[];
  /** Failing checks across the workload's pods, in upstream order, one per check id. */
  failures: PssFailure[];
  /** A failing pod also fails the baseline level (at restricted: it breaks more than hardening). */
  failsBaseline: boolean;
}

export interface WorkloadPss {
  workload: Workload;
  namespace: string;
  /** Pods skipped because their runtimeClassName is exempt. */
  exemptPods: number;
  /** At the namespace's effective enforce policy; undefined when the namespace or every pod is exempt. */
  enforce?: PodSetEvaluation;
  /** At config.target; undefined for system and exempt namespaces, or when every pod is exempt. */
  target?: PodSetEvaluation;
}

export interface PssModel {
  defaultsKnown: boolean;
  /** Minor version of the cluster, when the snapshot records it. */
  clusterMinor?: number;
  /** Newest policy minor the cluster can enforce (the evaluator's newest when unknown). */
  evaluationCap: number;
  target: { level: PssLevel; version: string };
  namespaces: Map<string, NamespacePss>;
  workloads: WorkloadPss[];
  namespace(name: string): NamespacePss;
}

function psaLabelsOf(labels: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!labels || typeof labels !== 'object' || Array.isArray(labels)) return out;
  for (const [k, v] of Object.entries(labels)) if (k.startsWith(LABEL_PREFIX)) out[k] = String(v);
  return out;
}

/** Equal JSON values (what the evaluator reads of a pod: its annotations and spec). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const k in x) {
    if (!Object.hasOwn(y, k) || !sameJson(x[k], y[k])) return false;
    n++;
  }
  for (const k in y) if (--n < 0) return false;
  return n === 0;
}

/** For each pod, whether the evaluator would read exactly what it read of the previous one (replicas of one template). */
function likePrevious(pods: readonly PodView[]): boolean[] {
  return pods.map((p, i) => i > 0 && sameJson(pods[i - 1].annotations, p.annotations) && sameJson(pods[i - 1].spec, p.spec));
}

/**
 * One object per distinct failure across the model: the replicas of a template, and the
 * workloads of one chart, fail the same checks with the same words (tens of thousands of
 * workloads at 150k pods each held their own copies).
 */
type FailureIntern = Map<string, PssFailure>;
const internFailure = (intern: FailureIntern, f: PssFailure): PssFailure => {
  const key = `${f.id}\u0000${f.forbiddenReason}\u0000${f.forbiddenDetail}\u0000${f.reason}`;
  const seen = intern.get(key);
  if (seen) return seen;
  intern.set(key, f);
  return f;
};

function evaluateSet(pods: PodView[], level: PssLevel, version: string, cap: number, alike: readonly boolean[], intern: FailureIntern): PodSetEvaluation {
  const minor = effectiveMinor(parsePolicyVersion(version) ?? 'latest', cap);
  const byId = new Map<string, PssFailure>();
  const result: PodSetEvaluation = {
    level, version, effectiveVersion: `v1.${minor}`, allowed: true, evaluatedPods: 0, failingPods: 0, failingPodNames: [], failures: [], failsBaseline: false,
  };
  const order: string[] = [];
  let r: ReturnType<typeof evaluatePod> | undefined;
  let baselineChecked = false;
  for (const [i, pod] of pods.entries()) {
    result.evaluatedPods++;
    const podInput = { metadata: { annotations: pod.annotations, labels: pod.labels }, spec: pod.spec };
    // A pod like the previous one has its verdict (and its baseline verdict, once asked).
    if (!r || !alike[i]) {
      r = evaluatePod(podInput, level, `v1.${minor}`);
      baselineChecked = false;
    }
    if (r.allowed) continue;
    result.failingPods++;
    if (!result.failsBaseline && !baselineChecked) {
      result.failsBaseline = level === 'baseline' || !evaluatePod(podInput, 'baseline', `v1.${minor}`).allowed;
      baselineChecked = true;
    }
    if (result.failingPodNames.length < 5) result.failingPodNames.push(pod.name);
    for (const f of r.failures) {
      if (!byId.has(f.id)) {
        byId.set(f.id, internFailure(intern, f));
        order.push(f.id);
      }
    }
  }
  // Keep upstream's order (baseline ids, then restricted) whatever pod reported a check first.
  const rank = new Map(checkIdsAt(level, minor).map((id, i) => [id, i]));
  result.failures = order.map((id) => byId.get(id)!).sort((a, b) => (rank.get(a.id) ?? 99) - (rank.get(b.id) ?? 99));
  result.allowed = result.failingPods === 0;
  return result;
}

function buildModel(snapshot: Snapshot, config: Config): PssModel {
  const system = new Set(config.systemNamespaces ?? []);
  const exemptions = config.podSecurity?.exemptions;
  const exemptNamespaces = new Set(exemptions?.namespaces ?? []);
  const exemptRuntimeClasses = new Set(exemptions?.runtimeClasses ?? []);
  const defaults = config.podSecurity?.defaults as PssDefaults | undefined;
  const cMinor = clusterMinor(snapshot.cluster?.version);
  const cap = cMinor === undefined ? LATEST_MINOR : Math.min(cMinor, LATEST_MINOR);
  const targetLevel: PssLevel = isPssLevel(config.target?.podSecurityLevel) ? config.target.podSecurityLevel : 'restricted';
  const targetVersion = parsePolicyVersion(config.target?.podSecurityVersion) !== undefined ? config.target.podSecurityVersion : 'latest';

  const namespaces = new Map<string, NamespacePss>();
  const make = (name: string, labels: unknown, known: boolean): NamespacePss => {
    const psaLabels = psaLabelsOf(labels);
    return {
      name,
      system: system.has(name),
      exempt: exemptNamespaces.has(name),
      known,
      levels: parseNamespaceLevels(psaLabels, defaults),
      psaLabels,
      hasEnforceLabel: Object.hasOwn(psaLabels, `${LABEL_PREFIX}enforce`),
    };
  };
  for (const ns of snapshot.resources.namespaces ?? []) {
    const name = ns.metadata?.name;
    if (typeof name !== 'string' || !name || namespaces.has(name)) continue;
    namespaces.set(name, make(name, ns.metadata?.labels, true));
  }
  const namespace = (name: string): NamespacePss => {
    let ns = namespaces.get(name);
    if (!ns) {
      ns = make(name, {}, false);
      namespaces.set(name, ns);
    }
    return ns;
  };

  const workloads: WorkloadPss[] = [];
  const intern: FailureIntern = new Map();
  for (const w of workloadsOf(snapshot)) {
    if (w.pods.length === 0) continue;
    const nsName = w.ref.namespace ?? w.pods[0].namespace;
    const ns = namespace(nsName);
    const pods = w.pods.filter((p) => !(typeof p.spec.runtimeClassName === 'string' && exemptRuntimeClasses.has(p.spec.runtimeClassName)));
    const entry: WorkloadPss = { workload: w, namespace: nsName, exemptPods: w.pods.length - pods.length };
    if (!ns.exempt && pods.length > 0) {
      const enforce = ns.levels.enforce;
      const alike = likePrevious(pods);
      entry.enforce = evaluateSet(pods, enforce.level, enforce.version, cap, alike, intern);
      if (!ns.system) {
        const sameAsEnforce = enforce.level === targetLevel
          && entry.enforce.effectiveVersion === `v1.${effectiveMinor(parsePolicyVersion(targetVersion) ?? 'latest', cap)}`;
        entry.target = sameAsEnforce ? { ...entry.enforce, version: targetVersion } : evaluateSet(pods, targetLevel, targetVersion, cap, alike, intern);
      }
    }
    workloads.push(entry);
  }

  return {
    defaultsKnown: defaults !== undefined,
    clusterMinor: cMinor,
    evaluationCap: cap,
    target: { level: targetLevel, version: targetVersion },
    namespaces,
    workloads,
    namespace,
  };
}

const modelFor = memoizeBySnapshotAndConfig(buildModel, 'pod-security');

/** The Pod Security model of a snapshot under a config, built once per (snapshot, config). */
export function podSecurityModel(snapshot: Snapshot, config: Config): PssModel {
  return modelFor(snapshot, config);
}
