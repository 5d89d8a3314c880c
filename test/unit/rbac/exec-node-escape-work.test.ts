// rbac.pod-exec-attach judges whether exec, attach or a debug container into a namespace's pods
// reaches their node. At 150,000 pods that judgement was a second of the RBAC area's CPU, so its
// work is counted here: the Pod Security evaluator runs once per Pod Security class of the pod
// specs a grant reaches (the text of what its checks read: src/analysis/pss/pod-class.ts),
// whatever the access and however many replicas share it, since what exec and attach enter is a
// part of what a debug container enters (the whole spec) and a spec that breaks no node-reaching
// baseline control breaks none in a part of it. The pods are upstream PodSecurity admission's
// baseline fixtures (kubernetes/pod-security-admission test/testdata/baseline/v1.0/pass/base.yaml
// and fail/privileged0.yaml, in ../shared/conformance/pod-security) as Deployment templates.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { rbacChecks } from '../../../checks/rbac/index.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { parseAllDocuments } from 'yaml';
import { run, snap } from './helpers.ts';

const evaluations = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../../src/analysis/pss/index.ts', async (importOriginal) => {
  const pss = await importOriginal<typeof import('../../../src/analysis/pss/index.ts')>();
  return { ...pss, evaluatePod: (...args: Parameters<typeof pss.evaluatePod>) => { evaluations.count++; return pss.evaluatePod(...args); } };
});

const check = rbacChecks.find((c) => c.id === 'rbac.pod-exec-attach')!;

/** base.yaml of baseline/v1.0/pass, its container named per Deployment (a distinct spec each). */
const plain = (name: string) => `{containers: [{image: registry.k8s.io/pause, name: ${name}}], initContainers: [{image: registry.k8s.io/pause, name: initcontainer1}]}`;
/** privileged0.yaml: container1 sets securityContext.privileged: true. */
const PRIVILEGED = `{containers: [{image: registry.k8s.io/pause, name: container1, securityContext: {privileged: true}}], initContainers: [{image: registry.k8s.io/pause, name: initcontainer1, securityContext: {}}], securityContext: {}}`;

const deployment = (name: string, spec: string) => `
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop}
spec:
  replicas: 5
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: ${spec}
`;

/** shop enforces baseline, so a debug container added there is judged at baseline too: only the pods can raise the rating. */
const SHOP = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {pod-security.kubernetes.io/enforce: baseline}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: debug, namespace: shop}
rules: [{apiGroups: [""], resources: [pods/exec, pods/attach, pods/ephemeralcontainers], verbs: [create, patch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev-debug, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: debug}
subjects: [{kind: User, name: dev, apiGroup: rbac.authorization.k8s.io}]
`;

const CLEAN = ['web', 'api', 'cart', 'search'].map((n) => deployment(n, plain(n))).join('');

describe('rbac.pod-exec-attach: the node-escape judgement runs once per pod class', () => {
  beforeEach(() => { evaluations.count = 0; });

  it('exec, attach and debug containers into four Deployments baseline admits: one evaluation each, and rated medium', () => {
    const v = run(check, snap(SHOP + CLEAN)).find((x) => x.resource.name === 'dev')!;
    expect(v.severity).toBe('medium');
    expect(v.message).not.toContain('baseline');
    expect(evaluations.count).toBe(4);
  });

  it('beside a privileged Deployment: that one is judged whole and as exec enters it (attach enters none: no stdin), and the finding names it', () => {
    const v = run(check, snap(SHOP + CLEAN + deployment('agent', PRIVILEGED))).find((x) => x.resource.name === 'dev')!;
    expect(v.severity).toBeUndefined();
    expect(v.message).toContain('The pods of Deployment shop/agent (privileged), which this access reaches, break the baseline Pod Security level');
    expect(evaluations.count).toBe(4 + 2);
  });

  // A chart's workloads differ in fields no Pod Security check reads (images, accounts, names of
  // configMaps): they are one Pod Security class (src/analysis/pss/pod-class.ts), judged once.
  it('four Deployments alike but for their images: one evaluation for the four; a privileged one beside them is still judged and named', () => {
    const images = ['web', 'api', 'cart', 'search'].map((n) => deployment(n, `{containers: [{image: registry.example.com/${n}:1, name: app}], serviceAccountName: ${n}}`)).join('');
    const v = run(check, snap(SHOP + images + deployment('agent', PRIVILEGED))).find((x) => x.resource.name === 'dev')!;
    expect(v.severity).toBeUndefined();
    expect(v.message).toContain('The pods of Deployment shop/agent (privileged), which this access reaches, break the baseline Pod Security level');
    expect(v.message).not.toContain('shop/web');
    expect(evaluations.count).toBe(1 + 2);
  });

  it('a pod whose class cannot be written (a value JSON cannot hold) is judged on its own: privileged, it is named', () => {
    const objects = parseAllDocuments(SHOP + CLEAN + deployment('agent', PRIVILEGED)).map((d) => d.toJS()).filter(Boolean) as KubeObject[];
    const agent = objects.find((o) => o.metadata?.name === 'agent') as unknown as { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } };
    // A YAML timestamp read by a 1.1 schema is a Date: no class text, so no class shared with any other pod.
    agent.spec.template.spec.containers[0].securityContext = { privileged: true, since: new Date('2026-01-01T00:00:00Z') };
    const v = run(check, snapshotFromObjects(objects, { clusterVersion: 'v1.36.3' })).find((x) => x.resource.name === 'dev')!;
    expect(v.severity).toBeUndefined();
    expect(v.message).toContain('The pods of Deployment shop/agent (privileged), which this access reaches, break the baseline Pod Security level');
    expect(evaluations.count).toBe(4 + 2);
  });
});
