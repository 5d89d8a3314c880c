// Pod Security levels and policy versions, parsed exactly as the PodSecurity admission
// plugin parses namespace labels: an unknown level or version is never silently accepted.

export const PSS_LEVELS = ['privileged', 'baseline', 'restricted'] as const;
export type PssLevel = (typeof PSS_LEVELS)[number];

/** Newest policy version this evaluator implements; `latest` and newer versions clamp to it. */
export const LATEST_MINOR = 37;
export const LATEST_VERSION = `v1.${LATEST_MINOR}`;

/** Upstream's version label syntax: `latest` or `v1.<minor>` with no leading zeros. */
const VERSION_RE = /^v1\.([0-9]|[1-9][0-9]*)$/;

export function isPssLevel(v: unknown): v is PssLevel {
  return v === 'privileged' || v === 'baseline' || v === 'restricted';
}

/** -1 when a is less strict than b, 0 when equal, 1 when stricter. */
export function compareLevels(a: PssLevel, b: PssLevel): number {
  return Math.sign(PSS_LEVELS.indexOf(a) - PSS_LEVELS.indexOf(b));
}

/** A parsed policy version: `latest`, or the minor number of `v1.<minor>`. */
export type PolicyVersion = 'latest' | number;

/** Parses a version label value; undefined when it is not `latest` or `v1.<minor>`. */
export function parsePolicyVersion(value: unknown): PolicyVersion | undefined {
  if (value === 'latest') return 'latest';
  if (typeof value !== 'string') return undefined;
  const m = VERSION_RE.exec(value);
  if (!m) return undefined;
  const minor = Number(m[1]);
  return Number.isSafeInteger(minor) ? minor : undefined;
}

export function formatPolicyVersion(v: PolicyVersion): string {
  return v === 'latest' ? 'latest' : `v1.${v}`;
}

/**
 * The minor version whose rules apply: `latest` and versions above the cap clamp to the cap
 * (the evaluator's newest version, or an older apiserver's own version).
 */
export function effectiveMinor(v: PolicyVersion, cap: number = LATEST_MINOR): number {
  const max = Math.min(cap, LATEST_MINOR);
  return v === 'latest' || v > max ? max : v;
}

/**
 * Minor version of a Kubernetes server version string ("v1.36.3", "v1.30.2-eks-1", "1.29+"),
 * or undefined when it cannot be read.
 */
export function clusterMinor(version: unknown): number | undefined {
  if (typeof version !== 'string') return undefined;
  const m = /^v?1\.(\d+)/.exec(version.trim());
  return m ? Number(m[1]) : undefined;
}

/**
 * Why the pod-security.kubernetes.io labels enforce nothing on a cluster of this minor version;
 * undefined when its kube-apiserver runs Pod Security Admission by default. The PodSecurity
 * feature gate came in 1.22 as alpha (off by default), beta and on by default in 1.23, GA in 1.25
 * (https://kubernetes.io/docs/reference/command-line-tools-reference/feature-gates-removed/,
 * "PodSecurity"). PodSecurityPolicy, which such clusters may run instead, is not read.
 */
export function admissionAbsentReason(clusterMinor: number | undefined): string | undefined {
  if (clusterMinor === undefined || clusterMinor >= 23) return undefined;
  const psp = 'PodSecurityPolicy, which ztaudit does not read, may apply instead';
  if (clusterMinor === 22) return `on Kubernetes v1.22 the PodSecurity feature gate is alpha and off by default, so the pod-security.kubernetes.io labels enforce nothing unless it was turned on; ${psp}`;
  return `Kubernetes v1.${clusterMinor} has no Pod Security Admission (it came in v1.22), so the pod-security.kubernetes.io labels enforce nothing; ${psp}`;
}
