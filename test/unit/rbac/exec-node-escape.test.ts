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
import { defaultConfig } from '../../../src/config/types.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { run, snap } from './helpers.ts';

const check = rbacChecks.find((c) => c.id === 'rbac.pod-exec-attach')!;

/** privileged0.yaml: container1 sets securityContext.privileged: true. */
const PRIVILEGED = `{containers: [{image: registry.k8s.io/pause, name: container1, securityContext: {privileged: true}}], initContainers: [{image: registry.k8s.io/pause, name: initcontainer1, securityContext: {}}], securityContext: {}}`;
/** hostnamespaces0.yaml: hostIPC: true. */
const HOST_IPC = `{containers: [{image: registry.k8s.io/pause, name: container1}], hostIPC: true, initContainers: [{image: registry.k8s.io/pause, name: initcontainer1}]}`;
/** hostpathvolumes0.yaml: a hostPath volume beside an emptyDir; container1 mounts it (upstream's fixture mounts none: admission judges spec.volumes alone). */
const HOST_PATH = `{containers: [{image: registry.k8s.io/pause, name: container1, volumeMounts: [{name: volume-hostpath, mountPath: /a}]}], initContainers: [{image: registry.k8s.io/pause, name: initcontainer1}], volumes: [{emptyDir: {}, name: volume-emptydir}, {hostPath: {path: /a}, name: volume-hostpath}]}`;
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
/** The same, Namespace shop enforcing baseline: an ephemeral container added there is judged at baseline too, so only the pod can raise the rating. */
const baselineNs = (yaml: string) => yaml.replace('kind: Namespace\nmetadata: {name: shop}\n', 'kind: Namespace\nmetadata: {name: shop, labels: {pod-security.kubernetes.io/enforce: baseline}}\n');
const liveBaseline = (rule: string, extra = ''): Snapshot => ({ ...snap(baselineNs(SHOP + extra + ROLE(rule))), origin: 'live' });
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

  it('ephemeral containers on [agent-0] reach the node the same way; port-forwarding only reaches its ports', () => {
    expect(dev(liveBaseline(EXEC(['agent-0'], 'pods/ephemeralcontainers', 'patch'))).severity).toBeUndefined();
    const pf = dev(live(EXEC(['agent-0'], 'pods/portforward')));
    expect(pf.severity).toBe('medium');
    expect(pf.message).not.toContain('baseline');
  });

  // Attach joins the container's own process ("Attach to a process that is already running
  // inside an existing container": https://kubernetes.io/docs/reference/kubectl/generated/kubectl_attach/),
  // so it gives a shell only where that process reads stdin; privileged0.yaml's container1 does not.
  it('attach on [agent-0] is node takeover only when its privileged container keeps stdin open (or a tty)', () => {
    const attach = dev(live(EXEC(['agent-0'], 'pods/attach')));
    expect(attach.severity).toBe('medium');
    expect(attach.message).not.toContain('baseline');
    for (const field of ['stdin: true', 'tty: true']) {
      const interactive = pod('shell-0', PRIVILEGED.replace('name: container1,', `name: container1, ${field},`), 'agent');
      const v = dev(live(EXEC(['shell-0'], 'pods/attach'), interactive));
      expect(v.severity, field).toBeUndefined();
      expect(v.message).toContain(`Pod shop/shell-0 (privileged), ${NODE}`);
    }
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

// Exec "executes a command in a container" that runs (https://kubernetes.io/docs/reference/kubectl/generated/kubectl_exec/),
// and init containers "run to completion" before the app containers start
// (https://kubernetes.io/docs/concepts/workloads/pods/init-containers/): what only an init
// container did is over by the time exec can enter the pod, unless it is a native sidecar
// (restartPolicy: Always), which keeps running. An ephemeral container joins the pod itself and
// may mount any of its volumes, so it is judged on the whole pod.
describe('rbac.pod-exec-attach: exec judges the containers that run', () => {
  /** privileged1.yaml (baseline/v1.0/fail): only initcontainer1 is privileged. */
  const PRIVILEGED_INIT = `{containers: [{image: registry.k8s.io/pause, name: container1, securityContext: {}}], initContainers: [{image: registry.k8s.io/pause, name: initcontainer1, securityContext: {privileged: true}}], securityContext: {}}`;

  it('a pod whose only privileged container is an init container (upstream privileged1.yaml): exec is medium, an ephemeral container still reaches the node', () => {
    const extra = pod('init-0', PRIVILEGED_INIT, 'agent');
    const v = dev(live(EXEC(['init-0']), extra));
    expect(v.severity).toBe('medium');
    expect(v.message).toBe('User:dev can exec into pods in namespace shop (create pods/exec) via RoleBinding shop/dev-exec → Role shop/exec');
    const eph = dev(liveBaseline(EXEC(['init-0'], 'pods/ephemeralcontainers', 'patch'), extra));
    expect(eph.severity).toBeUndefined();
    expect(eph.message).toContain(`Pod shop/init-0 (privileged), ${NODE}`);
  });

  it('the same init container as a native sidecar (restartPolicy: Always) keeps running: exec reaches the node', () => {
    const v = dev(live(EXEC(['side-0']), pod('side-0', PRIVILEGED_INIT.replace('name: initcontainer1,', 'name: initcontainer1, restartPolicy: Always,'), 'agent')));
    expect(v.severity).toBeUndefined();
    expect(v.message).toContain(`Pod shop/side-0 (privileged), ${NODE}`);
  });

  // Reviewer repro init/m.yaml. A volume is in a container only where its volumeMounts name it
  // (https://kubernetes.io/docs/concepts/storage/volumes/): a hostPath only a finished init
  // container mounted is in no container exec or attach can enter; an ephemeral container may
  // mount any volume of the pod.
  it('a Deployment whose init container alone mounts a hostPath (seed files copied to an emptyDir): exec and attach are medium, an ephemeral container still reaches the node', () => {
    const web = (initMounts: string, appMounts: string) => `
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      initContainers: [{name: seed, image: busybox, command: [sh, -c, "cp /host-seed/* /work/"], volumeMounts: [${initMounts}]}]
      containers: [{name: web, image: nginx, stdin: true, volumeMounts: [${appMounts}]}]
      volumes: [{name: seed, hostPath: {path: /opt/seed}}, {name: work, emptyDir: {}}]
`;
    const SEED = '{name: seed, mountPath: /host-seed, readOnly: true}';
    const WORK = '{name: work, mountPath: /usr/share/nginx/html}';
    const onlyWeb = (extra: string, rule: string) => baselineNs(SHOP.split('\n---\n').filter((doc) => !/^kind: Pod$/m.test(doc)).join('\n---\n') + extra + ROLE(rule));
    for (const resource of ['pods/exec', 'pods/attach']) {
      const v = dev(snap(onlyWeb(web(`${SEED}, ${WORK}`, WORK), EXEC(undefined, resource))));
      expect(v.severity, resource).toBe('medium');
      expect(v.message, resource).not.toContain('baseline');
      // The app container mounting it too (a native sidecar would as well): node takeover.
      const mounted = dev(snap(onlyWeb(web(`${SEED}, ${WORK}`, `${WORK}, ${SEED}`), EXEC(undefined, resource))));
      expect(mounted.severity, resource).toBeUndefined();
      expect(mounted.message, resource).toContain(`The pods of Deployment shop/web (hostPath volumes), ${NODE.replace('breaks', 'break')}`);
    }
    const eph = dev(snap(onlyWeb(web(`${SEED}, ${WORK}`, WORK), EXEC(undefined, 'pods/ephemeralcontainers', 'patch'))));
    expect(eph.severity).toBeUndefined();
    expect(eph.message).toContain('The pods of Deployment shop/web (hostPath volumes)');
  });

  it('from manifests: an Elasticsearch StatefulSet whose privileged sysctl init container has exited, and an Istio sidecar pod\'s istio-init (NET_ADMIN, NET_RAW), are medium', () => {
    // Elastic's documented vm.max_map_count init container
    // (https://www.elastic.co/guide/en/cloud-on-k8s/current/k8s-virtual-memory.html) and the
    // istio-init container sidecar injection adds without Istio CNI
    // (https://istio.io/latest/docs/ops/deployment/application-requirements/).
    const more = `
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: es, namespace: shop}
spec:
  serviceName: es
  replicas: 3
  selector: {matchLabels: {app: es}}
  template:
    metadata: {labels: {app: es}}
    spec:
      serviceAccountName: es
      initContainers:
      - {name: sysctl, image: busybox, command: [sysctl, -w, vm.max_map_count=262144], securityContext: {privileged: true, runAsUser: 0}}
      containers:
      - {name: elasticsearch, image: elasticsearch, securityContext: {runAsNonRoot: true, runAsUser: 1000, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}
---
apiVersion: v1
kind: Pod
metadata: {name: cart-1, namespace: shop}
spec:
  serviceAccountName: cart
  initContainers:
  - {name: istio-init, image: proxyv2, securityContext: {allowPrivilegeEscalation: false, capabilities: {add: [NET_ADMIN, NET_RAW], drop: [ALL]}, runAsUser: 0}}
  containers:
  - {name: cart, image: cart}
  - {name: istio-proxy, image: proxyv2, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, runAsUser: 1337}}
`;
    const only = (s: string) => s.split('\n---\n').filter((doc) => !/^kind: Pod$/m.test(doc) || /name: cart-1/.test(doc)).join('\n---\n');
    const v = dev(snap(only(SHOP + more + ROLE(EXEC()))));
    expect(v.severity).toBe('medium');
    expect(v.message).not.toContain('baseline');
  });
});

// Of the baseline controls, only some guard the node
// (https://kubernetes.io/docs/concepts/security/pod-security-standards/): a host port, an
// unconfined seccomp or AppArmor profile, an unsafe sysctl or a host probe weaken the pod but
// give a shell in it no way out of it.
describe('rbac.pod-exec-attach: only baseline failures that reach the node make exec node takeover', () => {
  it.each([
    ['hostports0.yaml: a hostPort', `{containers: [{image: registry.k8s.io/pause, name: container1, ports: [{containerPort: 12345, hostPort: 12345}]}], initContainers: [{image: registry.k8s.io/pause, name: initcontainer1}]}`],
    ['seccompprofile_baseline0.yaml (v1.19): an Unconfined seccomp profile', `{containers: [{image: registry.k8s.io/pause, name: container1, securityContext: {}}], initContainers: [{image: registry.k8s.io/pause, name: initcontainer1, securityContext: {}}], securityContext: {seccompProfile: {type: Unconfined}}}`],
    ['sysctls0.yaml: an unsafe sysctl', `{containers: [{image: registry.k8s.io/pause, name: container1}], initContainers: [{image: registry.k8s.io/pause, name: initcontainer1}], securityContext: {sysctls: [{name: othersysctl, value: other}]}}`],
  ])('upstream %s: medium', (_name, spec) => {
    const v = dev(live(EXEC(['weak-0']), pod('weak-0', spec, 'agent')));
    expect(v.severity).toBe('medium');
    expect(v.message).not.toContain('baseline');
  });

  it('an ingress-nginx DaemonSet whose only baseline failure is hostPort 80/443 (from manifests): medium', () => {
    const ds = `
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ingress-nginx-controller, namespace: shop}
spec:
  selector: {matchLabels: {app: ingress-nginx}}
  template:
    metadata: {labels: {app: ingress-nginx}}
    spec:
      containers:
      - name: controller
        image: registry.k8s.io/ingress-nginx/controller:v1.15.1
        ports: [{containerPort: 80, hostPort: 80}, {containerPort: 443, hostPort: 443}]
        securityContext: {allowPrivilegeEscalation: false, capabilities: {add: [NET_BIND_SERVICE], drop: [ALL]}, runAsNonRoot: true, runAsUser: 101, seccompProfile: {type: RuntimeDefault}}
`;
    const noPods = SHOP.split('\n---\n').filter((doc) => !/^kind: Pod$/m.test(doc)).join('\n---\n');
    const v = dev(snap(noPods + ds + ROLE(EXEC())));
    expect(v.severity).toBe('medium');
    expect(v.message).not.toContain('baseline');
  });
});

// Pod Security admission judges an update of pods/ephemeralcontainers at the namespace's enforce
// level (https://kubernetes.io/docs/concepts/security/pod-security-admission/), and a namespace
// with no enforce label enforces privileged unless the AdmissionConfiguration says otherwise:
// there `kubectl debug --profile=sysadmin` adds a privileged container to any pod
// (https://kubernetes.io/docs/reference/kubectl/generated/kubectl_debug/).
describe('rbac.pod-exec-attach: ephemeral containers where Pod Security admission lets a privileged one in', () => {
  const EPHEMERAL = EXEC(['web-0'], 'pods/ephemeralcontainers', 'patch');
  const TAKEOVER = ': whoever can add an ephemeral container to a pod there can make it privileged (kubectl debug --profile=sysadmin), a way out to its node (the node\'s credentials and every pod running there), so it is rated as in kube-system';

  it('no enforce label (admission defaults unknown): node takeover, even on web-0, which baseline admits', () => {
    const v = dev(live(EPHEMERAL));
    expect(v.severity).toBeUndefined();
    expect(v.message).toBe('User:dev can add ephemeral containers to pods in namespace shop (patch pods/ephemeralcontainers) via RoleBinding shop/dev-exec → Role shop/exec. '
      + `Namespace shop has no Pod Security enforce label, so admission enforces privileged there (upstream's default, unless the cluster's AdmissionConfiguration sets another: podSecurity.defaults)${TAKEOVER}`);
    // Exec on the same pod is not: exec adds no container.
    expect(dev(live(EXEC(['web-0']))).severity).toBe('medium');
  });

  it('enforce: privileged, or a namespace exempt in config: node takeover; enforce: baseline: medium', () => {
    const privileged = ({ ...snap(SHOP.replace('metadata: {name: shop}\n', 'metadata: {name: shop, labels: {pod-security.kubernetes.io/enforce: privileged}}\n') + ROLE(EPHEMERAL)), origin: 'live' }) as Snapshot;
    expect(dev(privileged).message).toContain(`Namespace shop enforces the privileged Pod Security level${TAKEOVER}`);
    const config = defaultConfig();
    config.podSecurity.exemptions.namespaces = ['shop'];
    const exempt = run(check, liveBaseline(EPHEMERAL), config).find((v) => v.resource.name === 'dev')!;
    expect(exempt.severity).toBeUndefined();
    expect(exempt.message).toContain(`Namespace shop is exempt from Pod Security admission (podSecurity.exemptions.namespaces)${TAKEOVER}`);
    const baseline = dev(liveBaseline(EPHEMERAL));
    expect(baseline.severity).toBe('medium');
    expect(baseline.message).toBe('User:dev can add ephemeral containers to pods in namespace shop (patch pods/ephemeralcontainers) via RoleBinding shop/dev-exec → Role shop/exec');
  });

  it('no label, but the cluster\'s admission default (config podSecurity.defaults) is baseline: medium; privileged: takeover, saying so', () => {
    const config = defaultConfig();
    config.podSecurity.defaults = { enforce: 'baseline' };
    expect(run(check, live(EPHEMERAL), config).find((v) => v.resource.name === 'dev')!.severity).toBe('medium');
    config.podSecurity.defaults = { enforce: 'privileged' };
    expect(run(check, live(EPHEMERAL), config).find((v) => v.resource.name === 'dev')!.message)
      .toContain(`Namespace shop has no Pod Security enforce label and the cluster's admission default (podSecurity.defaults) is privileged${TAKEOVER}`);
  });

  it('from manifests that leave the Namespace out, its labels are unknown: medium, nothing claimed', () => {
    const noNs = SHOP.replace(/^\napiVersion: v1\nkind: Namespace\nmetadata: \{name: shop\}\n/, '');
    expect(noNs).not.toContain('kind: Namespace');
    // The manifests reader records the file of each object it read (sources): none declares
    // Namespace shop. Without them, the Namespace it makes up for the objects naming it says so.
    for (const s of [{ ...snap(noNs + ROLE(EPHEMERAL)), sources: {} }, snap(noNs + ROLE(EPHEMERAL))]) {
      const v = dev(s);
      expect(v.severity).toBe('medium');
      expect(v.message).not.toContain('Pod Security');
    }
  });
});

describe('rbac.pod-exec-attach: what the rating could not read, it says', () => {
  const forbid = (s: Snapshot, kind: 'pods' | 'namespaces'): Snapshot => {
    const out = structuredClone(s);
    out.coverage[kind] = { status: 'forbidden', detail: `list ${kind}` };
    delete out.resources[kind];
    return out;
  };

  it('pods forbidden in a live cluster: whether a pod exec reaches can reach its node is not known, and the finding says so', () => {
    const v = dev(forbid(live(EXEC()), 'pods'));
    expect(v.severity).toBe('medium');
    expect(v.message).toBe('User:dev can exec into pods in namespace shop (create pods/exec) via RoleBinding shop/dev-exec → Role shop/exec. '
      + 'The pods this access reaches could not all be read (pods: forbidden), so whether one can reach its node is not known');
    const named = dev(forbid(live(EXEC(['agent-0'])), 'pods'));
    expect(named.message).toContain('The pods this access reaches could not all be read (pods: forbidden), so which accounts the pods it names run as and whether one can reach its node are not known');
  });

  it('namespaces forbidden: whether an ephemeral container may be privileged there is not known, and the finding says so', () => {
    const v = dev(forbid(live(EXEC(['web-0'], 'pods/ephemeralcontainers', 'patch')), 'namespaces'));
    expect(v.severity).toBe('medium');
    expect(v.message).toContain('. The Pod Security level Namespace shop enforces could not be read (namespaces: forbidden), so whether an ephemeral container added there may be privileged is not known');
  });
});
