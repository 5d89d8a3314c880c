// Exec, attach or an ephemeral container into a pod the baseline Pod Security level refuses is a
// way out to its node. Baseline is the "minimally restrictive policy which prevents known privilege
// escalations" (https://kubernetes.io/docs/concepts/security/pod-security-standards/: privileged
// containers, host namespaces, hostPath volumes ...), and "users who can run privileged Pods can
// use that access to gain node access" (https://kubernetes.io/docs/concepts/security/rbac-good-practices/,
// "Workload creation"): a shell in such a pod reaches the node, its credentials and every pod
// running there, however few pods the grant names. So it is rated as in kube-system. The
// node-escaping pods below are upstream PodSecurity admission's own baseline fixtures
// (kubernetes/pod-security-admission test/testdata/baseline/v1.0/fail/privileged0.yaml,
// hostnamespaces0.yaml, hostpathvolumes0.yaml and pass/base.yaml, in ../shared/conformance/pod-security),
// given a name, a namespace and a ServiceAccount.
import { describe, expect, it } from 'vitest';
import { rbacChecks } from '../../../checks/rbac/index.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { run, snap } from './helpers.ts';

const check = rbacChecks.find((c) => c.id === 'rbac.pod-exec-attach')!;

/** privileged0.yaml: container1 sets securityContext.privileged: true. */
const PRIVILEGED = `{containers: [{image: registry.k8s.io/pause, name: container1, securityContext: {privileged: true}}], initContainers: [{image: registry.k8s.io/pause, name: initcontainer1, securityContext: {}}], securityContext: {}}`;
/** hostnamespaces0.yaml: hostIPC: true. */
const HOST_IPC = `{containers: [{image: registry.k8s.io/pause, name: container1}], hostIPC: true, initContainers: [{image: registry.k8s.io/pause, name: initcontainer1}]}`;
/** hostpathvolumes0.yaml: a hostPath volume beside an emptyDir. */
const HOST_PATH = `{containers: [{image: registry.k8s.io/pause, name: container1}], initContainers: [{image: registry.k8s.io/pause, name: initcontainer1}], volumes: [{emptyDir: {}, name: volume-emptydir}, {hostPath: {path: /a}, name: volume-hostpath}]}`;
/** base.yaml of baseline/v1.0/pass: a pod baseline admits. */
const PLAIN = `{containers: [{image: registry.k8s.io/pause, name: container1}], initContainers: [{image: registry.k8s.io/pause, name: initcontainer1}]}`;

const withAccount = (spec: string, sa: string) => spec.replace(/^\{/, `{serviceAccountName: ${sa}, `);
const pod = (name: string, spec: string, sa = 'web') => `
---
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: shop}
spec: ${withAccount(spec, sa)}
`;

/** Namespace shop: web-0 (baseline admits it) and the node agents; no account of shop holds anything. */
const SHOP = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev-exec, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: exec}
subjects: [{kind: User, name: dev, apiGroup: rbac.authorization.k8s.io}]
` + pod('web-0', PLAIN) + pod('agent-0', PRIVILEGED, 'agent') + pod('ipc-0', HOST_IPC, 'agent') + pod('disk-0', HOST_PATH, 'agent');

const ROLE = (rule: string) => `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: exec, namespace: shop}
rules: [${rule}]
`;
const EXEC = (names?: string[], resource = 'pods/exec', verb = 'create') => `{apiGroups: [""], resources: [${resource}], verbs: [${verb}]${names ? `, resourceNames: [${names.join(', ')}]` : ''}}`;
const NODE = 'which this access reaches, breaks the baseline Pod Security level: a shell in such a pod is a way out to its node (the node\'s credentials and every pod running there), so it is rated as in kube-system';

const manifests = (rule: string, extra = ''): Snapshot => snap(SHOP + extra + ROLE(rule));
const live = (rule: string, extra = ''): Snapshot => ({ ...snap(SHOP + extra + ROLE(rule)), origin: 'live' });
const dev = (s: Snapshot) => run(check, s).find((v) => v.resource.name === 'dev')!;

describe('rbac.pod-exec-attach: exec into a pod that escapes to its node is node takeover', () => {
  it('pods/exec on [agent-0], a privileged pod: rated as in kube-system, the finding naming the pod and why', () => {
    for (const s of [manifests(EXEC(['agent-0'])), live(EXEC(['agent-0']))]) {
      const v = dev(s);
      expect(v.severity).toBeUndefined();
      expect(v.message).toBe(`User:dev can exec into pods in namespace shop (create pods/exec) via RoleBinding shop/dev-exec → Role shop/exec. Pod shop/agent-0 (privileged), ${NODE}`);
    }
  });

  it('host namespaces (hostIPC) and a hostPath volume escape too; a pod baseline admits does not', () => {
    expect(dev(live(EXEC(['ipc-0']))).message).toContain(`Pod shop/ipc-0 (host namespaces), ${NODE}`);
    expect(dev(live(EXEC(['disk-0']))).message).toContain(`Pod shop/disk-0 (hostPath volumes), ${NODE}`);
    const web = dev(live(EXEC(['web-0'])));
    expect(web.severity).toBe('medium');
    expect(web.message).toBe('User:dev can exec into pods in namespace shop (create pods/exec) via RoleBinding shop/dev-exec → Role shop/exec');
  });

  it('attach and ephemeral containers on [agent-0] reach the node the same way; port-forwarding only reaches its ports', () => {
    expect(dev(live(EXEC(['agent-0'], 'pods/attach'))).severity).toBeUndefined();
    expect(dev(live(EXEC(['agent-0'], 'pods/ephemeralcontainers', 'patch'))).severity).toBeUndefined();
    const pf = dev(live(EXEC(['agent-0'], 'pods/portforward')));
    expect(pf.severity).toBe('medium');
    expect(pf.message).not.toContain('baseline');
  });

  it('exec into every pod of shop, which runs node-escaping pods: rated the same, naming them (the first three)', () => {
    const v = dev(live(EXEC()));
    expect(v.severity).toBeUndefined();
    expect(v.message).toContain('. Pod shop/agent-0 (privileged), Pod shop/ipc-0 (host namespaces), Pod shop/disk-0 (hostPath volumes), which this access reaches, break the baseline Pod Security level');
  });

  it('exec into every pod of a namespace running none: medium, as before', () => {
    const other = `
---
apiVersion: v1
kind: Namespace
metadata: {name: blog}
---
apiVersion: v1
kind: Pod
metadata: {name: blog-0, namespace: blog}
spec: ${PLAIN}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev-exec, namespace: blog}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: exec-all}
subjects: [{kind: User, name: blogger, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: exec-all}
rules: [${EXEC()}]
`;
    const v = run(check, live(EXEC(['web-0']), other)).find((x) => x.resource.name === 'blogger')!;
    expect(v.severity).toBe('medium');
    expect(v.message).not.toContain('baseline');
  });

  it('from manifests, a privileged Deployment template is what exec into every pod of its namespace reaches', () => {
    const deployment = `
---
apiVersion: v1
kind: Namespace
metadata: {name: ops}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: node-agent, namespace: ops}
spec:
  selector: {matchLabels: {app: node-agent}}
  template:
    metadata: {labels: {app: node-agent}}
    spec: ${PRIVILEGED}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ops-exec, namespace: ops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: exec-all}
subjects: [{kind: User, name: operator, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: exec-all}
rules: [${EXEC()}]
`;
    const v = run(check, manifests(EXEC(['web-0']), deployment)).find((x) => x.resource.name === 'operator')!;
    expect(v.severity).toBeUndefined();
    expect(v.message).toContain('. The pods of Deployment ops/node-agent (privileged), which this access reaches, break the baseline Pod Security level');
  });

  it('from manifests, a named pod they do not hold may be any pod of shop: rated as exec into every pod there', () => {
    const v = dev(manifests(EXEC(['web-9'])));
    expect(v.severity).toBeUndefined();
    expect(v.message).toContain('Pod shop/agent-0 (privileged)');
  });

  it('from manifests, a named pod of a privileged StatefulSet (agent-1 of 2) is that pod', () => {
    const sts = `
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: agent, namespace: shop}
spec:
  replicas: 2
  serviceName: agent
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: ${withAccount(HOST_PATH, 'agent')}
`;
    const v = dev(manifests(EXEC(['agent-1']), sts));
    expect(v.severity).toBeUndefined();
    expect(v.message).toBe(`User:dev can exec into pods in namespace shop (create pods/exec) via RoleBinding shop/dev-exec → Role shop/exec. Pod shop/agent-1 (hostPath volumes), ${NODE}`);
  });

  it('a live DaemonSet\'s privileged pods are named once, as its pods', () => {
    const ds = `
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: node-agent, namespace: shop, uid: ds-1}
spec:
  selector: {matchLabels: {app: node-agent}}
  template:
    metadata: {labels: {app: node-agent}}
    spec: ${PRIVILEGED}
` + ['a', 'b'].map((x) => `
---
apiVersion: v1
kind: Pod
metadata: {name: node-agent-${x}, namespace: shop, labels: {app: node-agent}, ownerReferences: [{apiVersion: apps/v1, kind: DaemonSet, name: node-agent, uid: ds-1, controller: true}]}
spec: ${PRIVILEGED}
`).join('');
    const v = dev({ ...snap(SHOP.split('\n---\n').filter((doc) => !/^kind: Pod$/m.test(doc)).join('\n---\n') + ds + ROLE(EXEC())), origin: 'live' });
    expect(v.severity).toBeUndefined();
    expect(v.message).toContain('. The pods of DaemonSet shop/node-agent (privileged), which this access reaches, break the baseline Pod Security level');
  });
});
