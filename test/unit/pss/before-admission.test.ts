// Before Kubernetes v1.23 no Pod Security Admission reads the pod-security.kubernetes.io labels:
// the PodSecurity feature gate came in v1.22 as alpha, off by default, and turned beta and on by
// default in v1.23 (https://kubernetes.io/docs/reference/command-line-tools-reference/feature-gates-removed/,
// "PodSecurity": Alpha 1.22, Beta 1.23, GA 1.25; https://kubernetes.io/docs/concepts/security/pod-security-admission/:
// "Kubernetes v1.25 [stable]", the built-in admission controller "enforces the Pod Security
// Standards" through these labels). There enforce, warn and audit are inert: a namespace labelled
// enforce=baseline enforces nothing, so it is neither below nor at a target by its label, its
// enforce-version pins nothing, and comparing enforce with warn/audit says nothing.
import { describe, expect, it } from 'vitest';
import { runChecks } from '../../../src/engine/run.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { CHECKS } from '../../../checks/index.ts';

const NAMESPACE = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/enforce-version: v1.18
    pod-security.kubernetes.io/warn: restricted
`;

const BELOW = 'pod-security.enforce-below-target';
const WEAKER = 'pod-security.enforce-weaker-than-warn-audit';
const PINNED = 'pod-security.version-pinned-old';

function outcomes(version: string) {
  const snapshot = snapshotFromObjects(parseManifestText(NAMESPACE, 'ns.yaml').objects, { clusterVersion: version });
  const config = defaultConfig();
  const ids = new Set([BELOW, WEAKER, PINNED]);
  return new Map(runChecks(CHECKS.filter((c) => ids.has(c.id)), { snapshot, config, now: new Date('2026-06-01T00:00:00Z') }).map((o) => [o.check.id, o]));
}

describe('the namespace label checks before Pod Security Admission (v1.21, v1.22)', () => {
  it.each(['v1.21.14', 'v1.22.17'])('%s: enforce-below-target blames no label level, it says nothing enforces', (version) => {
    const o = outcomes(version).get(BELOW)!;
    expect(o.status).toBe('fail');
    expect(o.results).toHaveLength(1);
    const [f] = o.results;
    expect(f.severity).toBe('high');
    expect(f.message).toMatch(/^Namespace shop enforces no Pod Security level, below the target "restricted": /);
    expect(f.message).toContain(version.startsWith('v1.21') ? 'Kubernetes v1.21 has no Pod Security Admission' : 'PodSecurity feature gate is alpha and off by default');
    expect(f.message).not.toContain('"baseline" by label');
    expect((f.evidence as Record<string, string>).podSecurityAdmission).toMatch(/^none: /);
  });

  it.each(['v1.21.14', 'v1.22.17'])('%s: enforce-weaker-than-warn-audit and version-pinned-old do not apply, and say why', (version) => {
    const all = outcomes(version);
    for (const id of [WEAKER, PINNED]) {
      const o = all.get(id)!;
      expect(o.status).toBe('not-applicable');
      expect(o.results).toEqual([]);
      expect(o.reason).toContain('Kubernetes v1.23 or later');
    }
  });

  it('v1.23: the labels are enforced and judged as before', () => {
    const all = outcomes('v1.23.0');
    expect(all.get(BELOW)?.results[0]?.message).toBe('Namespace shop enforces "baseline" by label, below the target level "restricted".');
    expect(all.get(WEAKER)?.status).toBe('fail');
    expect(all.get(WEAKER)?.results[0]?.message).toContain('enforces only "baseline" while warn "restricted" is stricter');
    expect(all.get(PINNED)?.status).toBe('fail');
    expect(all.get(PINNED)?.results[0]?.message).toContain('pins enforce-version v1.18, older than the cluster version (v1.23)');
  });
});
