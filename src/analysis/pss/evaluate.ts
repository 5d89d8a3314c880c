// Evaluates a pod against a Pod Security Standards level at a policy version, the way the
// PodSecurity admission plugin does: for each version, every check uses its newest
// implementation not newer than that version; restricted runs the baseline checks it does
// not override; `latest` and versions above the newest known one clamp.

import { CHECK_DEFINITIONS, podParts, type CheckFn, type PodInput, type VersionedCheck } from './checks.ts';
import { LATEST_MINOR, effectiveMinor, isPssLevel, parsePolicyVersion, type PssLevel } from './levels.ts';

export interface PssFailure {
  /** Upstream's check id, e.g. 'allowPrivilegeEscalation'. */
  id: string;
  /** Upstream's wording: 'allowPrivilegeEscalation != false (container "api" must set securityContext.allowPrivilegeEscalation=false)'. */
  reason: string;
  forbiddenReason: string;
  forbiddenDetail: string;
  /** Some container keeps CAP_NET_RAW (CheckOutcome.keepsNetRaw); set only when true. */
  keepsNetRaw?: boolean;
}

export interface PssEvaluation {
  allowed: boolean;
  failures: PssFailure[];
  /** The level evaluated (an unknown level is evaluated as restricted, as admission does). */
  level: PssLevel;
  /** The policy version whose rules were applied, e.g. 'v1.37'. */
  version: string;
}

export interface EvaluateOptions {
  /**
   * Newest policy version the evaluating apiserver knows (its own minor version, e.g. 30 or
   * 'v1.30'); `latest` and newer pinned versions clamp to it. Defaults to the evaluator's newest.
   */
  maxVersion?: number | string;
  /**
   * Only these check ids (of those the level runs at the version): a caller that reads a few
   * checks' outcomes leaves the others unrun. Their failures are as in a full evaluation, in
   * upstream order; `allowed` then speaks of these checks alone.
   */
  only?: ReadonlySet<string>;
  /**
   * The kube-apiserver has the UserNamespacesPodSecurityStandards gate on (1.29-1.34,
   * ./feature-gates.ts): these checks (userNamespaceGatedChecks: runAsNonRoot and runAsUser, from
   * 1.31 procMount too) pass a pod with `hostUsers: false` at every policy version, as
   * runAsNonRoot_1_0, runAsUserV1Dot23 and procMount_1_0 do then.
   */
  relaxUserNamespacePods?: ReadonlySet<string>;
}

interface RunnableCheck {
  id: string;
  check: CheckFn;
  impl: VersionedCheck;
}

/** Upstream order: baseline ids sorted, then restricted ids sorted. */
const ORDERED_IDS = [
  ...CHECK_DEFINITIONS.filter((c) => c.level === 'baseline').map((c) => c.id).sort(),
  ...CHECK_DEFINITIONS.filter((c) => c.level === 'restricted').map((c) => c.id).sort(),
];

function implementationAt(def: (typeof CHECK_DEFINITIONS)[number], minor: number) {
  let found: (typeof def.versions)[number] | undefined;
  for (const v of def.versions) if (v.minimumMinor <= minor) found = v;
  return found;
}

function buildChecks(level: 'baseline' | 'restricted', minor: number): RunnableCheck[] {
  const selected = new Map<string, RunnableCheck>();
  const overridden = new Set<string>();
  for (const def of CHECK_DEFINITIONS) {
    if (def.level !== 'restricted' || level !== 'restricted') continue;
    const impl = implementationAt(def, minor);
    if (!impl) continue;
    selected.set(def.id, { id: def.id, check: impl.check, impl });
    for (const o of impl.overrides ?? []) overridden.add(o);
  }
  for (const def of CHECK_DEFINITIONS) {
    if (def.level !== 'baseline' || overridden.has(def.id)) continue;
    const impl = implementationAt(def, minor);
    if (impl) selected.set(def.id, { id: def.id, check: impl.check, impl });
  }
  return ORDERED_IDS.flatMap((id) => {
    const c = selected.get(id);
    return c ? [c] : [];
  });
}

const CHECKS_BY_LEVEL: Record<'baseline' | 'restricted', RunnableCheck[][]> = { baseline: [], restricted: [] };
for (let minor = 0; minor <= LATEST_MINOR; minor++) {
  CHECKS_BY_LEVEL.baseline[minor] = buildChecks('baseline', minor);
  CHECKS_BY_LEVEL.restricted[minor] = buildChecks('restricted', minor);
}

/** The check ids that run at a level and (effective) minor version, in upstream order. */
export function checkIdsAt(level: PssLevel, minor: number): string[] {
  if (level === 'privileged') return [];
  return CHECKS_BY_LEVEL[level][Math.max(0, Math.min(minor, LATEST_MINOR))].map((c) => c.id);
}

/** Reads a cap given as a minor number or a version string; undefined when unreadable. */
function capOf(v: number | string | undefined): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  const parsed = typeof v === 'string' ? /^v?1\.(\d+)/.exec(v) : null;
  return parsed ? Number(parsed[1]) : LATEST_MINOR;
}

/**
 * Evaluates a pod (or a pod template: `{ metadata, spec }`) at a level and policy version.
 * `version` is 'latest' or 'v1.<minor>'; anything else is read as 'latest', as an invalid
 * version label is. An unknown level is evaluated as 'restricted' (fail closed).
 * Never throws on malformed input.
 */
export function evaluatePod(pod: PodInput | unknown, level: PssLevel | string, version: string, options: EvaluateOptions = {}): PssEvaluation {
  const lvl: PssLevel = isPssLevel(level) ? level : 'restricted';
  const minor = effectiveMinor(parsePolicyVersion(version) ?? 'latest', capOf(options.maxVersion));
  const result: PssEvaluation = { allowed: true, failures: [], level: lvl, version: `v1.${minor}` };
  if (lvl === 'privileged') return result;
  const parts = podParts(pod);
  const only = options.only;
  for (const { id, check } of CHECKS_BY_LEVEL[lvl][minor]) {
    if (only !== undefined && !only.has(id)) continue;
    if (parts.userNamespace && options.relaxUserNamespacePods?.has(id)) continue;
    const outcome = check(parts);
    if (outcome.allowed) continue;
    const forbiddenReason = outcome.forbiddenReason || 'unknown forbidden reason';
    const forbiddenDetail = outcome.forbiddenDetail ?? '';
    result.failures.push({
      id,
      reason: forbiddenDetail ? `${forbiddenReason} (${forbiddenDetail})` : forbiddenReason,
      forbiddenReason,
      forbiddenDetail,
      ...(outcome.keepsNetRaw ? { keepsNetRaw: true } : {}),
    });
  }
  result.allowed = result.failures.length === 0;
  return result;
}

/**
 * The text the API server puts in a denial for this evaluation, after `violates PodSecurity
 * "<level>:<version>": `, so a real apiserver's message can be compared with ours.
 */
export function denialDetail(evaluation: Pick<PssEvaluation, 'failures'>): string {
  return evaluation.failures.map((f) => f.reason).join(', ');
}

/** How the rules at a level changed from one policy version to a newer one, by check id in upstream order. */
export interface CheckChanges {
  /** Added or changed so that the newer version may reject pods the older one admits. */
  tightened: readonly string[];
  /** Changed only to admit more pods (exemptions, longer allow-lists); not also in `tightened`. */
  relaxed: readonly string[];
}

/**
 * Per level and pair of versions (clamped): their changes, frozen and shared. The namespace checks
 * ask once per namespace and mode (tens of thousands of times at 10,000 namespaces) about a few
 * distinct pairs.
 */
const changesMemo = new Map<string, CheckChanges>();

/**
 * The checks a level's rules tightened and relaxed going from `fromMinor` up to `toMinor`
 * (nothing when `toMinor` is not newer), one version step at a time: a new implementation
 * counts as its `relaxes` mark says; a check new at the level tightens, unless it replaces
 * (overrides) a check that ran the very same rule the version before — as procMount_restricted
 * keeps the pre-1.35 procMount rule at restricted (policy/check_procMount_restricted.go).
 */
export function checkChangesBetween(level: PssLevel, fromMinor: number, toMinor: number): CheckChanges {
  const from = Math.max(0, Math.min(fromMinor, LATEST_MINOR));
  const to = Math.max(0, Math.min(toMinor, LATEST_MINOR));
  const key = `${level} ${from} ${to}`;
  let changes = changesMemo.get(key);
  if (changes === undefined) changesMemo.set(key, (changes = changesBetween(level, from, to)));
  return changes;
}

function changesBetween(level: PssLevel, from: number, to: number): CheckChanges {
  const tightened = new Set<string>();
  const relaxed = new Set<string>();
  if (level !== 'privileged') {
    for (let m = from + 1; m <= to; m++) {
      const before = new Map(CHECKS_BY_LEVEL[level][m - 1].map((c) => [c.id, c.check]));
      for (const c of CHECKS_BY_LEVEL[level][m]) {
        const old = before.get(c.id);
        if (old === c.check) continue;
        if (old === undefined && (c.impl.overrides ?? []).some((o) => before.get(o) === c.check)) continue;
        (old !== undefined && c.impl.relaxes ? relaxed : tightened).add(c.id);
      }
    }
  }
  return Object.freeze({
    tightened: Object.freeze(ORDERED_IDS.filter((id) => tightened.has(id))),
    relaxed: Object.freeze(ORDERED_IDS.filter((id) => relaxed.has(id) && !tightened.has(id))),
  });
}

/** The lowest level that enforces a check id ('baseline' or 'restricted'), or undefined. */
export function checkLevel(id: string): 'baseline' | 'restricted' | undefined {
  return CHECK_DEFINITIONS.find((c) => c.id === id)?.level;
}
