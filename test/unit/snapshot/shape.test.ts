// The list-typed fields the checks read, as the Kubernetes API types them: PodSpec.containers,
// initContainers, ephemeralContainers and volumes are lists of objects, a container's and the
// pod's securityContext are objects
// (https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#PodSpec); a
// Role's rules are PolicyRules whose verbs, apiGroups, resources, resourceNames and
// nonResourceURLs are []string (https://kubernetes.io/docs/reference/kubernetes-api/authorization-resources/role-v1/);
// a binding's subjects are []Subject and its roleRef one RoleRef
// (https://kubernetes.io/docs/reference/kubernetes-api/authorization-resources/cluster-role-binding-v1/).
// The API server refuses anything else, so the readers refuse it too, naming the key.
import { describe, expect, it } from 'vitest';
import { metadataProblem, specProblem } from '../../../src/snapshot/shape.ts';

const container = { name: 'c', image: 'nginx', securityContext: { privileged: true } };
const podSpec = { containers: [container], initContainers: [{ name: 'i', image: 'busybox' }], volumes: [{ name: 'v', emptyDir: {} }], securityContext: { runAsNonRoot: true } };
const withPodSpec = (kind: string, spec: unknown): Record<string, unknown> => {
  const meta = { metadata: { name: 'w', namespace: 'app' } };
  if (kind === 'pods') return { ...meta, spec };
  if (kind === 'cronjobs') return { ...meta, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec } } } } };
  return { ...meta, spec: { template: { spec } } };
};
const prefixOf: Record<string, string> = { pods: 'spec.', cronjobs: 'spec.jobTemplate.spec.template.spec.' };
const POD_KINDS = ['pods', 'deployments', 'statefulsets', 'daemonsets', 'replicasets', 'replicationcontrollers', 'jobs', 'cronjobs'];

describe('specProblem: a pod spec in any workload', () => {
  it.each(POD_KINDS)('%s: the API\'s shapes pass; a mapping, a string or a list where the schema has another is named by its key', (kind) => {
    const at = prefixOf[kind] ?? 'spec.template.spec.';
    expect(specProblem(kind, withPodSpec(kind, podSpec))).toBeNull();
    expect(specProblem(kind, withPodSpec(kind, { ...podSpec, containers: container }))).toBe(`${at}containers is a mapping, not a list`);
    expect(specProblem(kind, withPodSpec(kind, { ...podSpec, initContainers: ['busybox'] }))).toBe(`${at}initContainers[0] is a string (busybox), not a mapping`);
    expect(specProblem(kind, withPodSpec(kind, { ...podSpec, ephemeralContainers: { name: 'debug' } }))).toBe(`${at}ephemeralContainers is a mapping, not a list`);
    expect(specProblem(kind, withPodSpec(kind, { ...podSpec, volumes: { name: 'v' } }))).toBe(`${at}volumes is a mapping, not a list`);
    expect(specProblem(kind, withPodSpec(kind, { ...podSpec, securityContext: [] }))).toBe(`${at}securityContext is a list, not a mapping`);
    expect(specProblem(kind, withPodSpec(kind, { containers: [{ ...container, securityContext: 'privileged' }] }))).toBe(`${at}containers[0].securityContext is a string (privileged), not a mapping`);
    // Null is absent, as kubectl reads it.
    expect(specProblem(kind, withPodSpec(kind, { containers: [container], initContainers: null, volumes: null }))).toBeNull();
  });

  it('names a step on the way that is not a mapping, and takes an absent one as no pod spec', () => {
    expect(specProblem('deployments', { spec: { template: [] } })).toBe('spec.template is a list, not a mapping');
    expect(specProblem('cronjobs', { spec: { jobTemplate: { spec: 'x' } } })).toBe('spec.jobTemplate.spec is a string (x), not a mapping');
    expect(specProblem('pods', { spec: null })).toBeNull();
    expect(specProblem('deployments', { spec: {} })).toBeNull();
  });
});

describe('specProblem: RBAC', () => {
  const rule = { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] };
  it('a Role\'s rules are a list of rules whose fields are lists of strings', () => {
    for (const kind of ['roles', 'clusterroles']) {
      expect(specProblem(kind, { rules: [rule, { nonResourceURLs: ['/healthz'], verbs: ['get'] }] })).toBeNull();
      expect(specProblem(kind, { rules: rule })).toBe('rules is a mapping, not a list');
      expect(specProblem(kind, { rules: [rule, { ...rule, verbs: '*' }] })).toBe('rules[1].verbs is a string (*), not a list');
      expect(specProblem(kind, { rules: [{ ...rule, resources: ['pods', 7] }] })).toBe('rules[0].resources[1] is a number (7), not a string');
    }
    // An aggregated ClusterRole may leave rules unset.
    expect(specProblem('clusterroles', { aggregationRule: { clusterRoleSelectors: [] } })).toBeNull();
  });

  it('a binding\'s subjects are a list of subjects, its roleRef one mapping', () => {
    const roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' };
    for (const kind of ['rolebindings', 'clusterrolebindings']) {
      expect(specProblem(kind, { roleRef, subjects: [{ kind: 'User', name: 'alice' }] })).toBeNull();
      expect(specProblem(kind, { roleRef })).toBeNull();
      expect(specProblem(kind, { roleRef, subjects: 'oops' })).toBe('subjects is a string (oops), not a list');
      expect(specProblem(kind, { roleRef, subjects: { kind: 'User', name: 'alice' } })).toBe('subjects is a mapping, not a list');
      expect(specProblem(kind, { roleRef, subjects: ['alice'] })).toBe('subjects[0] is a string (alice), not a mapping');
      expect(specProblem(kind, { roleRef: ['cluster-admin'], subjects: [] })).toBe('roleRef is a list, not a mapping');
    }
  });
});

describe('hostile text in a problem', () => {
  it('a key or value with a line break or terminal control stays on one line, escaped', () => {
    expect(metadataProblem({ metadata: { annotations: { 'k\r\nforged: line\u001b[2J': true } } })).toBe('metadata.annotations.k\\u000d\\u000aforged: line\\u001b[2J is a boolean (true), not a string (quote it)');
    expect(specProblem('clusterrolebindings', { subjects: 'a\nFORGED' })).toBe('subjects is a string (a\\u000aFORGED), not a list');
  });
});
