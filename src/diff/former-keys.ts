// Fingerprints a finding had under an earlier ztaudit, for pairFindings to pair a finding whose
// key changed in an upgrade with its stored self: otherwise the first run after the upgrade
// reports it new and its stored self resolved, and flags a regression though nothing changed
// (DESIGN.md: a fingerprint is stable across runs). Rebuilt from the current finding alone: a
// stored run (the k8s store's compact form) may keep no evidence.
import { fingerprintOf } from '../engine/fingerprint.ts';
import type { Finding } from '../run/types.ts';

/**
 * Before probe findings were keyed by object, SNI and port, a probe finding about an object
 * (Ingress, Service, Istio Gateway) was keyed by the address the probe reached it at, the label
 * `sni@host:port` (probeSubject's label, src/analysis/tls/probes.ts: the SNI and "@" only when it
 * differs from the host). The finding's evidence keeps that endpoint, and the other addresses
 * the object was reached at as labels (alsoProbedAt), each of which was a finding of its own.
 */
const PROBE_CHECKS: ReadonlySet<string> = new Set(['tls.probe-legacy-accepted', 'tls.certificate-expiring', 'tls.certificate-hostname-mismatch']);

/**
 * Before a workload of a generated name was judged under its stable name (stableVerdicts,
 * src/analysis/workloads.ts: `Workflow ci/nightly-*`, `Pipeline ci/release`), its finding was
 * keyed by the workload itself; the finding's evidence `workloads` lists them.
 */
const STABLE_NAMED_CHECKS: ReadonlySet<string> = new Set([
  'pod-security.pod-violates-target', 'pod-security.pod-violates-enforced-level', 'pod-security.writable-root-filesystem',
  'pod-security.resource-limits-missing', 'rbac.serviceaccount-token-automount', 'rbac.default-serviceaccount-used',
]);

/** Whether findings of `check` may have had other fingerprints (formerFingerprints). */
export function hasFormerFingerprints(check: string): boolean {
  return PROBE_CHECKS.has(check) || STABLE_NAMED_CHECKS.has(check);
}

/**
 * Whether a finding of `check` stands for every stored finding its former fingerprints name (a
 * Pipeline's finding for each of its TaskRuns' own), not only the likeliest: a probe finding's
 * other addresses were findings the object's new key does not carry on.
 */
export function absorbsFormerFindings(check: string): boolean {
  return STABLE_NAMED_CHECKS.has(check);
}

/** The fingerprints `f` may have had, the likeliest first; none when it kept its own. */
export function formerFingerprints(f: Finding): string[] {
  if (STABLE_NAMED_CHECKS.has(f.check)) return workloadFingerprints(f);
  // An endpoint no object exposed (tls.probe.endpoints) was and is keyed by its label.
  if (!PROBE_CHECKS.has(f.check) || f.resource.kind === 'TLSEndpoint') return [];
  const evidence = f.evidence as { endpoint?: unknown; alsoProbedAt?: unknown } | undefined;
  const labels: string[] = [];
  const ep = evidence?.endpoint as { host?: unknown; port?: unknown; sni?: unknown } | undefined;
  if (ep && typeof ep.host === 'string' && typeof ep.port === 'number') {
    const sni = typeof ep.sni === 'string' && ep.sni !== '' && ep.sni !== ep.host ? `${ep.sni}@` : '';
    labels.push(`${sni}${ep.host}:${ep.port}`);
  }
  if (Array.isArray(evidence?.alsoProbedAt)) for (const l of evidence.alsoProbedAt) if (typeof l === 'string') labels.push(l);
  return labels.map((label) => fingerprintOf(f.check, f.resource, label));
}

/** The fingerprints of a stable-named finding's workloads (evidence `workloads`), each as its own finding was keyed. */
function workloadFingerprints(f: Finding): string[] {
  const workloads = (f.evidence as { workloads?: unknown } | undefined)?.workloads;
  if (!Array.isArray(workloads)) return [];
  const out: string[] = [];
  for (const w of workloads as Array<{ kind?: unknown; namespace?: unknown; name?: unknown; apiVersion?: unknown }>) {
    if (typeof w?.kind !== 'string' || typeof w.name !== 'string') continue;
    out.push(fingerprintOf(f.check, { kind: w.kind, name: w.name, ...(typeof w.namespace === 'string' ? { namespace: w.namespace } : {}), ...(typeof w.apiVersion === 'string' ? { apiVersion: w.apiVersion } : {}) }));
  }
  return out;
}

/**
 * One segment of a name the API server made from a generateName (5 characters of apimachinery's
 * util/rand alphabet, which has no vowels) or Argo's CronWorkflow gave its Workflow (the
 * scheduled time in Unix seconds): the part of a run's name that changes every night.
 */
const GENERATED_SEGMENT = /^(?:[bcdfghjklmnpqrstvwxz2456789]{5}|[0-9]{10})$/;

/**
 * The keys `ref` (a workload, a stored finding's or a grouped finding's member) shares with the
 * same workload of another night: its check, kind, namespace and name with one generated
 * segment (after a non-empty prefix) blanked, one key per such segment. A Pipeline's TaskRun is
 * named `<PipelineRun>-<task>` and its PipelineRun `<generateName><5 characters>`
 * (https://tekton.dev/docs/pipelines/pipelineruns/), so `release-run-aaaaa-dind` and tonight's
 * `release-run-ddddd-dind` share `release-run-?-dind`: the same task of runs made from one
 * generateName. Segments of the two kinds never share a key (5 letters vs 10 digits).
 */
export function generatedShapes(check: string, ref: { kind?: unknown; namespace?: unknown; name?: unknown }): string[] {
  if (typeof ref.kind !== 'string' || typeof ref.name !== 'string') return [];
  const parts = ref.name.split('-');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) {
    if (!GENERATED_SEGMENT.test(parts[i])) continue;
    const blank = parts[i].length === 5 ? '\u0001' : '\u0002';
    out.push([check, ref.kind, typeof ref.namespace === 'string' ? ref.namespace : '', [...parts.slice(0, i), blank, ...parts.slice(i + 1)].join('-')].join('\u0000'));
  }
  return out;
}

/** A stable-named finding's workloads (evidence `workloads`). */
export function formerWorkloads(f: Finding): Array<{ kind?: unknown; namespace?: unknown; name?: unknown }> {
  const workloads = (f.evidence as { workloads?: unknown } | undefined)?.workloads;
  return Array.isArray(workloads) ? workloads.filter((w) => typeof w === 'object' && w !== null) : [];
}
