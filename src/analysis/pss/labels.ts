// Namespace label parsing as the PodSecurity admission plugin does it (api.PolicyToEvaluate):
// an invalid enforce level fails closed to restricted, an invalid audit/warn level fails open
// to privileged, an invalid version means latest, and an unlabelled warn inherits a stricter
// enforce level. Every label that could not be parsed is reported, and so is every other key
// under the prefix: admission reads only the six below and ignores a misspelt one, leaving its
// mode at the admission default.

import { closest } from '../../base/did-you-mean.ts';
import { compareLevels, formatPolicyVersion, isPssLevel, parsePolicyVersion, type PolicyVersion, type PssLevel } from './levels.ts';

export const LABEL_PREFIX = 'pod-security.kubernetes.io/';
export const MODES = ['enforce', 'audit', 'warn'] as const;
export type Mode = (typeof MODES)[number];
/** The label keys admission reads, without the prefix. */
const LABEL_KEYS: readonly string[] = MODES.flatMap((m) => [m, `${m}-version`]);
/** A label key's name part is at most 63 characters; a longer one gets no suggestion (and no quadratic edit distance). */
const SUGGEST_MAX = 63;

/** The cluster's PodSecurityConfiguration `defaults` (same keys as the labels, without prefix). */
export interface PssDefaults {
  enforce?: string;
  'enforce-version'?: string;
  audit?: string;
  'audit-version'?: string;
  warn?: string;
  'warn-version'?: string;
}

export interface ModePolicy {
  level: PssLevel;
  /** 'latest' or 'v1.<minor>'. */
  version: string;
  /** Where the level came from: the namespace label, the admission defaults, or enforce (warn only). */
  levelSource: 'label' | 'defaults' | 'enforce';
  versionSource: 'label' | 'defaults' | 'enforce';
}

export interface LabelProblem {
  label: string;
  value: string;
  /** What admission does with it, e.g. 'must be one of privileged, baseline, restricted; evaluated as "restricted"'. */
  message: string;
  /** The key is none of the six admission reads (text from the cluster: quote it). */
  unknownKey?: true;
  /**
   * A namespace label's value admission cannot parse: what a valid one is. The API server
   * refuses to create a namespace with such a label, or to change its labels to one.
   */
  rule?: string;
}

export interface NamespaceLevels {
  enforce: ModePolicy;
  audit: ModePolicy;
  warn: ModePolicy;
  problems: LabelProblem[];
  /** False when no defaults were supplied: unlabelled modes then assume upstream's built-in defaults (privileged, latest). */
  defaultsKnown: boolean;
}

const LEVEL_MESSAGE = 'must be one of privileged, baseline, restricted';
const VERSION_MESSAGE = 'must be "latest" or "v1.x"';

function defaultMode(defaults: PssDefaults | undefined, mode: Mode, problems: LabelProblem[]): ModePolicy {
  const rawLevel = defaults?.[mode];
  const rawVersion = defaults?.[`${mode}-version`];
  let level: PssLevel = 'privileged';
  if (rawLevel !== undefined) {
    if (isPssLevel(rawLevel)) level = rawLevel;
    else problems.push({ label: `defaults.${mode}`, value: String(rawLevel), message: `${LEVEL_MESSAGE}; evaluated as "privileged"` });
  }
  let version: PolicyVersion = 'latest';
  if (rawVersion !== undefined) {
    const parsed = parsePolicyVersion(rawVersion);
    if (parsed !== undefined) version = parsed;
    else problems.push({ label: `defaults.${mode}-version`, value: String(rawVersion), message: `${VERSION_MESSAGE}; evaluated as "latest"` });
  }
  return { level, version: formatPolicyVersion(version), levelSource: 'defaults', versionSource: 'defaults' };
}

/**
 * Effective enforce/audit/warn level and version of a namespace from its labels, falling back
 * to the admission defaults (absent = privileged/latest, flagged by `defaultsKnown: false`).
 */
export function parseNamespaceLevels(labels: Record<string, unknown> | undefined | null, defaults?: PssDefaults): NamespaceLevels {
  const problems: LabelProblem[] = [];
  const policy: Record<Mode, ModePolicy> = {
    enforce: defaultMode(defaults, 'enforce', problems),
    audit: defaultMode(defaults, 'audit', problems),
    warn: defaultMode(defaults, 'warn', problems),
  };
  const l = labels && typeof labels === 'object' && !Array.isArray(labels) ? labels : {};
  const has = (key: string) => Object.hasOwn(l, LABEL_PREFIX + key);
  const get = (key: string) => l[LABEL_PREFIX + key];
  let enforceLevelValid = false;

  for (const mode of MODES) {
    if (has(mode)) {
      const raw = get(mode);
      const p = policy[mode];
      p.levelSource = 'label';
      if (isPssLevel(raw)) {
        p.level = raw;
        if (mode === 'enforce') enforceLevelValid = true;
      } else {
        // Enforce fails closed; audit and warn fail open.
        p.level = mode === 'enforce' ? 'restricted' : 'privileged';
        problems.push({ label: LABEL_PREFIX + mode, value: String(raw), message: `${LEVEL_MESSAGE}; evaluated as "${p.level}"`, rule: LEVEL_MESSAGE });
      }
    }
    if (has(`${mode}-version`)) {
      const raw = get(`${mode}-version`);
      const parsed = parsePolicyVersion(raw);
      policy[mode].version = formatPolicyVersion(parsed ?? 'latest');
      policy[mode].versionSource = 'label';
      if (parsed === undefined) problems.push({ label: `${LABEL_PREFIX}${mode}-version`, value: String(raw), message: `${VERSION_MESSAGE}; evaluated as "latest"`, rule: VERSION_MESSAGE });
    }
  }

  for (const key of Object.keys(l)) {
    if (!key.startsWith(LABEL_PREFIX)) continue;
    const name = key.slice(LABEL_PREFIX.length);
    if (LABEL_KEYS.includes(name)) continue;
    const meant = name.length <= SUGGEST_MAX ? closest(name, LABEL_KEYS) : undefined;
    problems.push({
      label: key,
      value: String(l[key]),
      message: meant
        ? `not a Pod Security label, so admission ignores it: did you mean ${LABEL_PREFIX}${meant}?`
        : 'not a Pod Security label (admission reads only enforce, audit, warn and their -version forms), so admission ignores it',
      unknownKey: true,
    });
  }

  // An unlabelled warn follows an explicitly set, stricter enforce level (and its version
  // unless warn-version is set), so users see warnings for what enforcement rejects.
  if (!has('warn') && enforceLevelValid && compareLevels(policy.enforce.level, policy.warn.level) > 0) {
    policy.warn.level = policy.enforce.level;
    policy.warn.levelSource = 'enforce';
    if (!has('warn-version')) {
      policy.warn.version = policy.enforce.version;
      policy.warn.versionSource = 'enforce';
    }
  }
  return { ...policy, problems, defaultsKnown: defaults !== undefined };
}
