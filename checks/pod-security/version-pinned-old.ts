import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { LATEST_MINOR, checkChangesBetween, parsePolicyVersion, podSecurityModel } from '../../src/analysis/pss/index.ts';
import { WHEN_ADMISSION_RUNS, admissionRuns, auditedNamespaces, namespaceEvidence, namespaceRef, unseenNamespaces, unseenNamespacesNote } from '../../src/analysis/pss/verdicts.ts';
import { POD_SECURITY_NAMESPACE } from '../controls.ts';

export const versionPinnedOld: Check = {
  id: 'pod-security.version-pinned-old',
  area: 'pod-security',
  title: 'Enforced Pod Security version is not pinned below the cluster version',
  protectsAgainst: 'namespaces whose enforce-version pins Pod Security rules older than the cluster, missing checks added or tightened since',
  severity: 'low',
  controls: POD_SECURITY_NAMESPACE,
  remediation:
    'When the finding lists checks added or tightened since the pin, set `pod-security.kubernetes.io/enforce-version=latest` (or the cluster\'s minor version) on the namespace — or, when the admission defaults pin the version, raise `enforce-version` in the cluster\'s PodSecurityConfiguration and in config `podSecurity.defaults` — after checking with `kubectl label --dry-run=server --overwrite namespace NAME pod-security.kubernetes.io/enforce-version=latest` which running pods the newer rules would reject.',
  needs: ['namespaces'],
  readsBestEffort: ['pods'],
  // Below v1.23 no admission controller reads the enforce-version label: a pin there misses no
  // check, as none is run at any version.
  appliesTo: (ctx) => admissionRuns(ctx.snapshot),
  appliesWhen: WHEN_ADMISSION_RUNS,
  evaluate(ctx) {
    const model = podSecurityModel(ctx.snapshot, ctx.config);
    // Compare with the cluster's own minor version; when unknown, with the newest rules we know.
    const reference = model.clusterMinor ?? LATEST_MINOR;
    const referenceText = model.clusterMinor !== undefined ? `the cluster version (v1.${reference})` : `the newest Pod Security version (v1.${reference}; cluster version unknown)`;
    const out: Verdict[] = [];
    for (const ns of auditedNamespaces(model)) {
      const enforce = ns.levels.enforce;
      if (enforce.level === 'privileged') continue; // privileged is the same at every version
      const resource = namespaceRef(ns);
      const pinned = parsePolicyVersion(enforce.version);
      const evidence: Record<string, unknown> = { ...namespaceEvidence(ns, model), enforceVersion: enforce.version, comparedWith: `v1.${reference}` };
      if (pinned === undefined || pinned === 'latest' || pinned >= reference) {
        out.push({ status: 'pass', resource, message: `Namespace ${ns.name} enforces "${enforce.level}" at version ${enforce.version}, not older than ${referenceText}.`, evidence });
        continue;
      }
      // Without an enforce-version label the admission defaults pin the version: no label to blame.
      const pinnedBy = enforce.versionSource === 'defaults'
        ? `Namespace ${ns.name} has no enforce-version label, so the cluster's admission defaults (config podSecurity.defaults.enforce-version) pin its enforced version to`
        : `Namespace ${ns.name} pins enforce-version`;
      const { tightened, relaxed } = checkChangesBetween(enforce.level, pinned, reference);
      evidence.checksTightenedSince = tightened;
      evidence.checksRelaxedSince = relaxed;
      // Newer rules that only relax (more safe sysctls, Windows and user-namespace exemptions)
      // leave the pin missing nothing: moving it to latest would only admit more pods.
      const since = tightened.length > 0
        ? `; checks added or tightened since, which it does not enforce: ${tightened.join(', ')}${relaxed.length > 0 ? ` (relaxed since: ${relaxed.join(', ')})` : ''}`
        : relaxed.length > 0
        ? `; newer versions only relax its rules (${relaxed.join(', ')}): the pin misses no check, and moving it to latest would only admit more pods`
        : '';
      out.push({
        status: 'fail',
        resource,
        message: `${pinnedBy} ${enforce.version}, older than ${referenceText}${since}.`,
        evidence,
        severity: tightened.length > 0 ? 'medium' : 'low',
      });
    }
    return out;
  },
  excluded(ctx) {
    return unseenNamespacesNote(podSecurityModel(ctx.snapshot, ctx.config), 'the enforce-version was not judged there');
  },
  unjudgedNamespaces(ctx) {
    return unseenNamespaces(podSecurityModel(ctx.snapshot, ctx.config));
  },
};
