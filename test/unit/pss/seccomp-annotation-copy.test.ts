// The seccomp annotations on a 1.19-1.26 cluster. From 1.19 PodSecurity's seccomp checks read only
// the securityContext.seccompProfile fields (pod-security-admission policy/check_seccompProfile_baseline.go,
// seccompProfileBaseline_1_19), but through 1.26 the API server copies a seccomp annotation into
// the unset field when it creates a pod: the pod strategy's PrepareForCreate calls
// applySeccompVersionSkew (pkg/registry/core/pod/strategy.go; added by kubernetes/kubernetes#91408,
// "Add seccomp GA version skew for pods", 1.19; #109819 "Partly remove support for seccomp
// annotations", 1.25, stopped the field-to-annotation copy and kept this one; #114947 "Make seccomp
// annotations non-functional", 1.27: "The seccomp fields are no longer auto-populated when pods with
// seccomp annotations are created"), and the generic store runs PrepareForCreate before validating
// admission. The values convert as pkg/api/pod/util.go SeccompFieldForAnnotation converts them.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects, type FromObjectsOptions } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { seccompFieldForAnnotation } from '../../../src/analysis/pss/checks.ts';
import { podSecurityChecks } from '../../../checks/pod-security/index.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';

const ENFORCED = 'pod-security.pod-violates-enforced-level';
const TARGET = 'pod-security.pod-violates-target';

/** A Deployment whose template carries these annotations, restricted but for seccomp (no field), in a namespace enforcing `level`. */
const deployment = (level: string, annotations: Record<string, string>) => `apiVersion: v1
kind: Namespace
metadata:
  name: app
  labels: {pod-security.kubernetes.io/enforce: ${level}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: app}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: ${JSON.stringify(annotations)}
    spec:
      securityContext: {runAsNonRoot: true}
      containers:
      - name: c
        image: x
        securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`;

function judge(objects: KubeObject[], clusterVersion: string, check: string, origin: 'manifests' | 'live' = 'manifests', sources?: FromObjectsOptions['sources']): Verdict {
  const snapshot = snapshotFromObjects(objects, { origin, clusterVersion, sources });
  if (origin === 'live') snapshot.source = 'live';
  const config = defaultConfig();
  config.target = { ...config.target, podSecurityLevel: 'baseline' };
  const ctx: AuditContext = { snapshot, config, now: new Date('2026-12-07T00:00:00Z') };
  return ([...podSecurityChecks.find((c) => c.id === check)!.evaluate(ctx)] as Verdict[]).find((v) => v.resource.name === 'web' || v.resource.name === 'web-0')!;
}

function scene(level: string, annotations: Record<string, string>, clusterVersion: string, check = ENFORCED): Verdict {
  const parsed = parseManifestText(deployment(level, annotations), 'scene.yaml');
  return judge(parsed.objects, clusterVersion, check, 'manifests', parsed.sources);
}

describe('a seccomp annotation on a 1.19-1.26 cluster is judged as the field the API server copies it into', () => {
  it('seccompFieldForAnnotation converts as upstream: unconfined, runtime/default and docker/default, localhost/<name>; nothing else', () => {
    expect(seccompFieldForAnnotation('unconfined')).toEqual({ type: 'Unconfined' });
    expect(seccompFieldForAnnotation('runtime/default')).toEqual({ type: 'RuntimeDefault' });
    expect(seccompFieldForAnnotation('docker/default')).toEqual({ type: 'RuntimeDefault' });
    expect(seccompFieldForAnnotation('localhost/profiles/audit.json')).toEqual({ type: 'Localhost', localhostProfile: 'profiles/audit.json' });
    for (const v of ['localhost/', 'Unconfined', '', undefined, 7]) expect(seccompFieldForAnnotation(v), String(v)).toBeUndefined();
  });

  it('the pod annotation "unconfined" fails baseline on 1.25 and 1.26 (and the target on 1.19), with a word on the copy; from 1.27 the annotation is ignored', () => {
    for (const version of ['v1.25.16', 'v1.26.15']) {
      const v = scene('baseline', { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' }, version);
      expect(v.status, version).toBe('fail');
      expect(v.message, version).toContain('pod must not set securityContext.seccompProfile.type to "Unconfined"');
      expect(v.message, version).toContain('a 1.19-1.26 API server copies it into that field when it creates the pod');
      expect(v.evidence?.seccompAnnotationsCopied, version).toBe(true);
    }
    expect(scene('baseline', { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' }, 'v1.19.16', TARGET).status).toBe('fail');
    const v127 = scene('baseline', { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' }, 'v1.27.3');
    expect(v127.status).toBe('pass');
    expect(v127.evidence?.seccompAnnotationsCopied).toBeUndefined();
  });

  it('a container annotation reaches that container only', () => {
    const v = scene('baseline', { 'container.seccomp.security.alpha.kubernetes.io/c': 'unconfined' }, 'v1.24.17');
    expect(v.status).toBe('fail');
    expect(v.message).toContain('container "c" must not set securityContext.seccompProfile.type to "Unconfined"');
    expect(scene('baseline', { 'container.seccomp.security.alpha.kubernetes.io/other': 'unconfined' }, 'v1.24.17').status).toBe('pass');
  });

  it('runtime/default or localhost/<name> meets restricted on 1.25, as the copied field does; without the copy (1.27) restricted wants the field', () => {
    for (const value of ['runtime/default', 'localhost/profiles/audit.json']) {
      const v = scene('restricted', { 'seccomp.security.alpha.kubernetes.io/pod': value }, 'v1.25.16');
      expect(v.status, value).toBe('pass');
      expect(v.evidence?.seccompAnnotationsCopied, value).toBe(true);
      expect(scene('restricted', { 'seccomp.security.alpha.kubernetes.io/pod': value }, 'v1.27.3').status, value).toBe('fail');
    }
  });

  it('a field already set is kept: the annotation fills only an unset one', () => {
    const text = deployment('baseline', { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' }).replace('securityContext: {runAsNonRoot: true}', 'securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}');
    const parsed = parseManifestText(text, 'scene.yaml');
    expect(judge(parsed.objects, 'v1.25.16', ENFORCED, 'manifests', parsed.sources).status).toBe('pass');
  });

  it('in a live cluster a stored Pod is judged as stored (created with the copy, or before it); a template, whose next pods get the copy, is copied', () => {
    const parsed = parseManifestText(deployment('baseline', { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' }), 'live.yaml').objects;
    const pod: KubeObject = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'web-0', namespace: 'app', annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' } },
      spec: { containers: [{ name: 'c', image: 'x' }] },
    };
    const stored = judge([...parsed.filter((o) => o.kind !== 'Deployment'), pod], 'v1.25.16', ENFORCED, 'live');
    expect(stored.status).toBe('pass');
    expect(stored.evidence?.seccompAnnotationsCopied).toBeUndefined();
    const scaledToZero = parsed.map((o) => (o.kind === 'Deployment' ? { ...o, spec: { ...(o.spec as object), replicas: 0 } } : o));
    const template = judge(scaledToZero, 'v1.25.16', TARGET, 'live');
    expect(template.status).toBe('fail');
    expect(template.evidence?.seccompAnnotationsCopied).toBe(true);
  });
});
