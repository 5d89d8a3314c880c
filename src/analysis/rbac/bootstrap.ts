// Kubernetes' bootstrap RBAC policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy), as the
// apiserver creates it at start: the model falls back to these when a snapshot (usually a
// manifests dir) lacks them, so a binding to `edit` or `view` means what it means in a cluster.
// The apiserver creates the controller roles (system:controller:*) and its kube-system and
// kube-public Roles with them, so those are filled in too (CONTROLLER_ROLES, NAMESPACE_ROLES);
// their bindings and kubeadm's roles and bindings are only recognised: RECOGNISED_ROLES, RECOGNISED_BINDINGS.

import type { Rule } from './types.ts';

const r = (verbs: string[], apiGroups: string[], resources: string[], resourceNames: string[] = []): Rule => ({
  verbs, apiGroups, resources, resourceNames, nonResourceURLs: [],
});
const nr = (verbs: string[], nonResourceURLs: string[]): Rule => ({ verbs, apiGroups: [], resources: [], resourceNames: [], nonResourceURLs });

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const EVENTS_WRITE = ['create', 'patch', 'update'];

export interface DefaultClusterRole {
  name: string;
  labels?: Record<string, string>;
  /** matchLabels of aggregationRule.clusterRoleSelectors, when the role is aggregated. */
  aggregateFrom?: Array<Record<string, string>>;
  rules: Rule[];
}

const AGG_ADMIN = 'rbac.authorization.k8s.io/aggregate-to-admin';
const AGG_EDIT = 'rbac.authorization.k8s.io/aggregate-to-edit';
const AGG_VIEW = 'rbac.authorization.k8s.io/aggregate-to-view';

export const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' } as const;
export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';

export const DEFAULT_CLUSTER_ROLES: readonly DefaultClusterRole[] = [
  { name: 'cluster-admin', rules: [r(['*'], ['*'], ['*']), nr(['*'], ['*'])] },
  { name: 'admin', aggregateFrom: [{ [AGG_ADMIN]: 'true' }], rules: [] },
  { name: 'edit', labels: { [AGG_ADMIN]: 'true' }, aggregateFrom: [{ [AGG_EDIT]: 'true' }], rules: [] },
  { name: 'view', labels: { [AGG_EDIT]: 'true' }, aggregateFrom: [{ [AGG_VIEW]: 'true' }], rules: [] },
  {
    name: 'system:aggregate-to-admin', labels: { [AGG_ADMIN]: 'true' },
    rules: [
      r(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
      r(['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], ['rbac.authorization.k8s.io'], ['rolebindings', 'roles']),
    ],
  },
  {
    name: 'system:aggregate-to-edit', labels: { [AGG_EDIT]: 'true' },
    rules: [
      r(READ, [''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy']),
      r(['impersonate'], [''], ['serviceaccounts']),
      r(WRITE, [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
      r(['create'], [''], ['pods/eviction']),
      r(WRITE, [''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy']),
      r(['create'], [''], ['serviceaccounts/token']),
      r(WRITE, ['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale']),
      r(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
      r(WRITE, ['batch'], ['cronjobs', 'jobs']),
      r(WRITE, ['extensions'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'ingresses', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale']),
      r(WRITE, ['policy'], ['poddisruptionbudgets']),
      r(WRITE, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
      r(['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], ['coordination.k8s.io'], ['leases']),
    ],
  },
  {
    name: 'system:aggregate-to-view', labels: { [AGG_VIEW]: 'true' },
    rules: [
      r(READ, [''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status']),
      r(READ, [''], ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status']),
      r(READ, [''], ['namespaces']),
      r(READ, ['discovery.k8s.io'], ['endpointslices']),
      r(READ, ['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status']),
      r(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
      r(READ, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
      r(READ, ['extensions'], ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses', 'ingresses/status', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale']),
      r(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
      r(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
    ],
  },
  {
    name: 'system:auth-delegator',
    rules: [r(['create'], ['authentication.k8s.io'], ['tokenreviews']), r(['create'], ['authorization.k8s.io'], ['subjectaccessreviews'])],
  },
  {
    name: 'system:basic-user',
    rules: [
      r(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      r(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    ],
  },
  { name: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', rules: [r(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/nodeclient'])] },
  { name: 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', rules: [r(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/selfnodeclient'])] },
  { name: 'system:certificates.k8s.io:kube-apiserver-client-approver', rules: [r(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client'])] },
  { name: 'system:certificates.k8s.io:kube-apiserver-client-kubelet-approver', rules: [r(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet'])] },
  { name: 'system:certificates.k8s.io:kubelet-serving-approver', rules: [r(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kubelet-serving'])] },
  { name: 'system:certificates.k8s.io:legacy-unknown-approver', rules: [r(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/legacy-unknown'])] },
  {
    name: 'system:discovery',
    rules: [nr(['get'], ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'])],
  },
  {
    name: 'system:heapster',
    rules: [r(READ, [''], ['events', 'namespaces', 'nodes', 'pods']), r(READ, ['extensions'], ['deployments'])],
  },
  { name: 'system:kube-aggregator', rules: [r(READ, [''], ['endpoints', 'services'])] },
  {
    name: 'system:kube-controller-manager',
    rules: [
      r(EVENTS_WRITE, ['', 'events.k8s.io'], ['events']),
      r(['create'], ['coordination.k8s.io'], ['leases']),
      r(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-controller-manager']),
      r(['create'], [''], ['secrets', 'serviceaccounts']),
      r(['delete'], [''], ['secrets']),
      r(['get'], [''], ['configmaps', 'namespaces', 'secrets', 'serviceaccounts']),
      r(['update'], [''], ['secrets', 'serviceaccounts']),
      r(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      r(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      r(['list', 'watch'], ['*'], ['*']),
      r(['create'], [''], ['serviceaccounts/token']),
    ],
  },
  { name: 'system:kube-dns', rules: [r(['list', 'watch'], [''], ['endpoints', 'services'])] },
  {
    name: 'system:kube-scheduler',
    rules: [
      r(EVENTS_WRITE, ['', 'events.k8s.io'], ['events']),
      r(['create'], ['coordination.k8s.io'], ['leases']),
      r(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-scheduler']),
      r(READ, [''], ['nodes']),
      r(['delete', 'get', 'list', 'watch'], [''], ['pods']),
      r(['create'], [''], ['bindings', 'pods/binding']),
      r(['patch', 'update'], [''], ['pods/status']),
      r(READ, [''], ['replicationcontrollers', 'services']),
      r(READ, ['apps', 'extensions'], ['replicasets']),
      r(READ, ['apps'], ['statefulsets']),
      r(READ, ['policy'], ['poddisruptionbudgets']),
      r(READ, [''], ['persistentvolumeclaims', 'persistentvolumes']),
      r(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      r(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      r(READ, ['storage.k8s.io'], ['csinodes']),
      r(READ, [''], ['namespaces']),
      r(READ, ['storage.k8s.io'], ['csidrivers']),
      r(READ, ['storage.k8s.io'], ['csistoragecapacities']),
    ],
  },
  {
    name: 'system:kubelet-api-admin',
    rules: [
      r(READ, [''], ['nodes']), r(['proxy'], [''], ['nodes']), r(['*'], [''], ['nodes/log', 'nodes/metrics', 'nodes/proxy', 'nodes/stats']),
      // KubeletFineGrainedAuthz (GA in v1.36.3's policy.go)
      r(['*'], [''], ['nodes/pods', 'nodes/healthz', 'nodes/configz']),
    ],
  },
  {
    name: 'system:monitoring',
    rules: [nr(['get'], ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'])],
  },
  {
    name: 'system:node',
    rules: [
      r(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      r(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews', 'subjectaccessreviews']),
      r(READ, [''], ['services']),
      r(['create', 'get', 'list', 'watch'], [''], ['nodes']),
      r(['patch', 'update'], [''], ['nodes/status']),
      r(['patch', 'update'], [''], ['nodes']),
      r(EVENTS_WRITE, [''], ['events']),
      r(READ, [''], ['pods']),
      r(['create', 'delete'], [''], ['pods']),
      r(['patch', 'update'], [''], ['pods/status']),
      r(['create'], [''], ['pods/eviction']),
      r(READ, [''], ['configmaps', 'secrets']),
      r(['get'], [''], ['persistentvolumeclaims', 'persistentvolumes']),
      r(['get'], [''], ['endpoints']),
      r(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
      r(['create', 'delete', 'get', 'patch', 'update'], ['coordination.k8s.io'], ['leases']),
      r(['get'], ['storage.k8s.io'], ['volumeattachments']),
      r(['create'], [''], ['serviceaccounts/token']),
      r(['get', 'patch', 'update'], [''], ['persistentvolumeclaims/status']),
      r(READ, ['storage.k8s.io'], ['csidrivers']),
      r(['create', 'delete', 'get', 'patch', 'update'], ['storage.k8s.io'], ['csinodes']),
      r(READ, ['node.k8s.io'], ['runtimeclasses']),
    ],
  },
  { name: 'system:node-bootstrapper', rules: [r(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests'])] },
  {
    name: 'system:node-problem-detector',
    rules: [r(['get'], [''], ['nodes']), r(['patch'], [''], ['nodes/status']), r(EVENTS_WRITE, ['', 'events.k8s.io'], ['events'])],
  },
  {
    name: 'system:node-proxier',
    rules: [
      r(['list', 'watch'], [''], ['endpoints', 'services']),
      r(READ, [''], ['nodes']),
      r(EVENTS_WRITE, ['', 'events.k8s.io'], ['events']),
      r(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
    ],
  },
  {
    name: 'system:persistent-volume-provisioner',
    rules: [
      r(['create', 'delete', 'get', 'list', 'watch'], [''], ['persistentvolumes']),
      r(['get', 'list', 'update', 'watch'], [''], ['persistentvolumeclaims']),
      r(READ, ['storage.k8s.io'], ['storageclasses']),
      r(['watch'], [''], ['events']),
      r(EVENTS_WRITE, ['', 'events.k8s.io'], ['events']),
    ],
  },
  { name: 'system:public-info-viewer', rules: [nr(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])] },
  {
    // Slash-ended too, for clients generated from OpenAPI documents published before the trailing-slash fix (v1.36.3 policy.go).
    name: 'system:service-account-issuer-discovery',
    rules: [nr(['get'], ['/.well-known/openid-configuration', '/.well-known/openid-configuration/', '/openid/v1/jwks', '/openid/v1/jwks/'])],
  },
  {
    name: 'system:volume-scheduler',
    rules: [
      r(['get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumes']),
      r(READ, ['storage.k8s.io'], ['storageclasses']),
      r(['get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumeclaims']),
    ],
  },
];

export interface DefaultBindingSubject {
  kind: 'User' | 'Group' | 'ServiceAccount';
  name: string;
  namespace?: string;
}

export interface DefaultClusterRoleBinding {
  name: string;
  role: string;
  subjects: DefaultBindingSubject[];
}

const group = (name: string): DefaultBindingSubject => ({ kind: 'Group', name });
const user = (name: string): DefaultBindingSubject => ({ kind: 'User', name });

export const DEFAULT_CLUSTER_ROLE_BINDINGS: readonly DefaultClusterRoleBinding[] = [
  { name: 'cluster-admin', role: 'cluster-admin', subjects: [group('system:masters')] },
  { name: 'system:basic-user', role: 'system:basic-user', subjects: [group('system:authenticated')] },
  { name: 'system:discovery', role: 'system:discovery', subjects: [group('system:authenticated')] },
  { name: 'system:kube-controller-manager', role: 'system:kube-controller-manager', subjects: [user('system:kube-controller-manager')] },
  { name: 'system:kube-dns', role: 'system:kube-dns', subjects: [{ kind: 'ServiceAccount', name: 'kube-dns', namespace: 'kube-system' }] },
  { name: 'system:kube-scheduler', role: 'system:kube-scheduler', subjects: [user('system:kube-scheduler')] },
  { name: 'system:monitoring', role: 'system:monitoring', subjects: [group('system:monitoring')] },
  { name: 'system:node', role: 'system:node', subjects: [] },
  { name: 'system:node-proxier', role: 'system:node-proxier', subjects: [user('system:kube-proxy')] },
  { name: 'system:public-info-viewer', role: 'system:public-info-viewer', subjects: [group('system:authenticated'), group('system:unauthenticated')] },
  { name: 'system:service-account-issuer-discovery', role: 'system:service-account-issuer-discovery', subjects: [group('system:serviceaccounts')] },
  { name: 'system:volume-scheduler', role: 'system:volume-scheduler', subjects: [user('system:kube-scheduler')] },
];

export const DEFAULT_CLUSTER_ROLE_BY_NAME: ReadonlyMap<string, DefaultClusterRole> = new Map(DEFAULT_CLUSTER_ROLES.map((r) => [r.name, r]));
export const DEFAULT_CRB_BY_NAME: ReadonlyMap<string, DefaultClusterRoleBinding> = new Map(DEFAULT_CLUSTER_ROLE_BINDINGS.map((b) => [b.name, b]));

/**
 * Non-resource paths the default policy opens to requests without credentials: only
 * system:public-info-viewer's (system:discovery is bound to system:authenticated alone,
 * bootstrappolicy/policy.go ClusterRoleBindings), and issuer discovery, which the policy leaves to
 * the administrator to open to unauthenticated users (policy.go: "Defer to the cluster admin with
 * regard to binding directly to all authenticated and/or unauthenticated users").
 */
export const UNAUTHENTICATED_DISCOVERY_PATHS: readonly Rule[] = [
  ...DEFAULT_CLUSTER_ROLE_BY_NAME.get('system:public-info-viewer')!.rules,
  ...DEFAULT_CLUSTER_ROLE_BY_NAME.get('system:service-account-issuer-discovery')!.rules,
];

/** Non-resource paths every default policy opens to every authenticated user: reaching only these is "discovery". */
export const DISCOVERY_PATHS: readonly Rule[] = [
  ...DEFAULT_CLUSTER_ROLE_BY_NAME.get('system:discovery')!.rules,
  ...DEFAULT_CLUSTER_ROLE_BY_NAME.get('system:public-info-viewer')!.rules,
  ...DEFAULT_CLUSTER_ROLE_BY_NAME.get('system:service-account-issuer-discovery')!.rules,
  ...DEFAULT_CLUSTER_ROLE_BY_NAME.get('system:basic-user')!.rules,
];

/** A binding Kubernetes or kubeadm creates, as it creates it: the only grants the audit does not judge. */
export interface RecognisedBinding {
  kind: 'ClusterRoleBinding' | 'RoleBinding';
  name: string;
  namespace?: string;
  roleRef: { kind: 'ClusterRole' | 'Role'; name: string };
  subjects: DefaultBindingSubject[];
}

const sa = (name: string): DefaultBindingSubject => ({ kind: 'ServiceAccount', name, namespace: 'kube-system' });

/** A role Kubernetes or kubeadm creates, with the rules it creates it with: what a default binding of it is exempt for. */
export interface RecognisedRole {
  kind: 'ClusterRole' | 'Role';
  name: string;
  namespace?: string;
  rules: Rule[];
}

const EVENTS = r(EVENTS_WRITE, ['', 'events.k8s.io'], ['events']);
const c = (controller: string, rules: Rule[]): RecognisedRole => ({ kind: 'ClusterRole', name: `system:controller:${controller}`, rules });

/**
 * kube-controller-manager's per-controller roles, as Kubernetes v1.36.3 creates them with every
 * feature gate on (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/controller_policy.go; a gate
 * adds rules or whole roles and never takes any away). Each is bound by the ClusterRoleBinding
 * of its name to ServiceAccount kube-system/<controller>. A rule a newer release adds is judged,
 * as for the default roles above.
 */
export const CONTROLLER_ROLES: readonly RecognisedRole[] = [
  c('attachdetach-controller', [
    r(['list', 'watch'], [''], ['persistentvolumeclaims', 'persistentvolumes']), r(READ, [''], ['nodes']), r(['patch', 'update'], [''], ['nodes/status']),
    r(['list', 'watch'], [''], ['pods']), EVENTS, r(['create', 'delete', 'get', 'list', 'watch'], ['storage.k8s.io'], ['volumeattachments']),
    r(READ, ['storage.k8s.io'], ['csidrivers']), r(READ, ['storage.k8s.io'], ['csinodes'])
  ]),
  c('certificate-controller', [
    r(['delete', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
    r(['update'], ['certificates.k8s.io'], ['certificatesigningrequests/approval', 'certificatesigningrequests/status']),
    r(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet']),
    r(['sign'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client', 'kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/kubelet-serving', 'kubernetes.io/legacy-unknown']),
    r(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']), EVENTS
  ]),
  c('clusterrole-aggregation-controller', [r(['escalate', 'get', 'list', 'patch', 'update', 'watch'], ['rbac.authorization.k8s.io'], ['clusterroles'])]),
  c('cronjob-controller', [
    r(['get', 'list', 'update', 'watch'], ['batch'], ['cronjobs']), r(['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], ['batch'], ['jobs']),
    r(['update'], ['batch'], ['cronjobs/status']), r(['update'], ['batch'], ['cronjobs/finalizers']), r(['delete', 'list', 'watch'], [''], ['pods']), EVENTS
  ]),
  c('daemon-set-controller', [
    r(READ, ['apps', 'extensions'], ['daemonsets']), r(['update'], ['apps', 'extensions'], ['daemonsets/status']),
    r(['update'], ['apps', 'extensions'], ['daemonsets/finalizers']), r(['list', 'watch'], [''], ['nodes']), r(['create', 'delete', 'list', 'patch', 'watch'], [''], ['pods']),
    r(['create'], [''], ['pods/binding']), r(['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], ['apps'], ['controllerrevisions']), EVENTS
  ]),
  c('deployment-controller', [
    r(['get', 'list', 'update', 'watch'], ['apps', 'extensions'], ['deployments']), r(['update'], ['apps', 'extensions'], ['deployments/status']),
    r(['update'], ['apps', 'extensions'], ['deployments/finalizers']), r(['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], ['apps', 'extensions'], ['replicasets']),
    r(['get', 'list', 'update', 'watch'], [''], ['pods']), EVENTS
  ]),
  c('device-taint-eviction-controller', [
    r(['delete', 'get', 'list', 'watch'], [''], ['pods']), r(['patch', 'update'], [''], ['pods/status']), r(READ, ['resource.k8s.io'], ['resourceclaims']),
    r(READ, ['resource.k8s.io'], ['resourceslices']), r(READ, ['resource.k8s.io'], ['deviceclasses']), EVENTS,
    r(['patch', 'update'], ['resource.k8s.io'], ['devicetaintrules/status']), r(READ, ['resource.k8s.io'], ['devicetaintrules'])
  ]),
  c('disruption-controller', [
    r(READ, ['apps', 'extensions'], ['deployments']), r(READ, ['apps', 'extensions'], ['replicasets']), r(READ, [''], ['replicationcontrollers']),
    r(READ, ['policy'], ['poddisruptionbudgets']), r(READ, ['apps'], ['statefulsets']), r(['update'], ['policy'], ['poddisruptionbudgets/status']),
    r(['patch', 'update'], [''], ['pods/status']), r(['get'], ['*'], ['*/scale']), EVENTS
  ]),
  c('endpoint-controller', [
    r(READ, [''], ['pods', 'services']), r(['create', 'delete', 'get', 'list', 'update', 'watch'], [''], ['endpoints']), r(['create'], [''], ['endpoints/restricted']), EVENTS
  ]),
  c('endpointslice-controller', [
    r(READ, [''], ['nodes', 'pods', 'services']), r(['update'], [''], ['services/finalizers']),
    r(['create', 'delete', 'get', 'list', 'update', 'watch'], ['discovery.k8s.io'], ['endpointslices']), EVENTS
  ]),
  c('endpointslicemirroring-controller', [
    r(READ, [''], ['endpoints', 'services']), r(['update'], [''], ['services/finalizers']), r(['update'], [''], ['endpoints/finalizers']),
    r(['create', 'delete', 'get', 'list', 'update', 'watch'], ['discovery.k8s.io'], ['endpointslices']), EVENTS
  ]),
  c('ephemeral-volume-controller', [r(READ, [''], ['pods']), r(['update'], [''], ['pods/finalizers']), r(['create', 'get', 'list', 'watch'], [''], ['persistentvolumeclaims']), EVENTS]),
  c('expand-controller', [
    r(['get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumes']), r(['patch', 'update'], [''], ['persistentvolumeclaims/status']),
    r(READ, [''], ['persistentvolumeclaims']), EVENTS
  ]),
  c('generic-garbage-collector', [r(['delete', 'get', 'list', 'patch', 'update', 'watch'], ['*'], ['*']), EVENTS]),
  c('horizontal-pod-autoscaler', [
    r(READ, ['autoscaling'], ['horizontalpodautoscalers']), r(['update'], ['autoscaling'], ['horizontalpodautoscalers/status']), r(['get', 'update'], ['*'], ['*/scale']),
    r(['list', 'watch'], [''], ['pods']), r(['list', 'watch'], ['metrics.k8s.io'], ['pods']), r(READ, ['custom.metrics.k8s.io'], ['*']),
    r(READ, ['external.metrics.k8s.io'], ['*']), EVENTS
  ]),
  c('job-controller', [
    r(['get', 'list', 'patch', 'update', 'watch'], ['batch'], ['jobs']), r(['update'], ['batch'], ['jobs/status']), r(['update'], ['batch'], ['jobs/finalizers']),
    r(['create', 'delete', 'list', 'patch', 'watch'], [''], ['pods']), EVENTS, r(['create', 'get', 'list', 'watch'], ['scheduling.k8s.io'], ['podgroups', 'workloads'])
  ]),
  c('kube-apiserver-serving-clustertrustbundle-publisher', [
    r(['attest'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-serving']),
    r(['create', 'delete', 'list', 'update', 'watch'], ['certificates.k8s.io'], ['clustertrustbundles']), EVENTS
  ]),
  c('legacy-service-account-token-cleaner', [r(['get'], [''], ['configmaps'], ['kube-apiserver-legacy-service-account-token-tracking']), r(['delete', 'patch'], [''], ['secrets'])]),
  c('namespace-controller', [
    r(['delete', 'get', 'list', 'watch'], [''], ['namespaces']), r(['update'], [''], ['namespaces/finalize', 'namespaces/status']),
    r(['delete', 'deletecollection', 'get', 'list', 'watch'], ['*'], ['*'])
  ]),
  c('node-controller', [
    r(['delete', 'get', 'list', 'patch', 'update', 'watch'], [''], ['nodes']), r(['patch', 'update'], [''], ['nodes/status']), r(['patch', 'update'], [''], ['pods/status']),
    r(['delete', 'get', 'list', 'watch'], [''], ['pods']), EVENTS
  ]),
  c('persistent-volume-binder', [
    r(['create', 'delete', 'get', 'list', 'update', 'watch'], [''], ['persistentvolumes']), r(['update'], [''], ['persistentvolumes/status']),
    r(['get', 'list', 'update', 'watch'], [''], ['persistentvolumeclaims']), r(['update'], [''], ['persistentvolumeclaims/status']),
    r(['create', 'delete', 'get', 'list', 'watch'], [''], ['pods']), r(READ, ['storage.k8s.io'], ['storageclasses']), r(['list', 'watch'], [''], ['nodes']), EVENTS,
    r(['watch'], [''], ['events'])
  ]),
  c('pod-garbage-collector', [r(['delete', 'list', 'watch'], [''], ['pods']), r(READ, [''], ['nodes']), r(['patch'], [''], ['pods/status'])]),
  c('podcertificaterequestcleaner', [r(['delete', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['podcertificaterequests'])]),
  c('podgroup-protection-controller', [r(['get', 'list', 'update', 'watch'], ['scheduling.k8s.io'], ['podgroups']), r(READ, [''], ['pods'])]),
  c('pv-protection-controller', [r(['get', 'list', 'update', 'watch'], [''], ['persistentvolumes']), EVENTS]),
  c('pvc-protection-controller', [r(['get', 'list', 'update', 'watch'], [''], ['persistentvolumeclaims']), r(['update'], [''], ['persistentvolumeclaims/status']), r(READ, [''], ['pods']), EVENTS]),
  c('replicaset-controller', [
    r(['get', 'list', 'update', 'watch'], ['apps', 'extensions'], ['replicasets']), r(['update'], ['apps', 'extensions'], ['replicasets/status']),
    r(['update'], ['apps', 'extensions'], ['replicasets/finalizers']), r(['create', 'delete', 'list', 'patch', 'watch'], [''], ['pods']), EVENTS
  ]),
  c('replication-controller', [
    r(['get', 'list', 'update', 'watch'], [''], ['replicationcontrollers']), r(['update'], [''], ['replicationcontrollers/status']),
    r(['update'], [''], ['replicationcontrollers/finalizers']), r(['create', 'delete', 'list', 'patch', 'watch'], [''], ['pods']), EVENTS
  ]),
  c('resource-claim-controller', [
    r(READ, [''], ['pods']), r(['update'], [''], ['pods/finalizers']), r(['create', 'delete', 'get', 'list', 'watch'], ['resource.k8s.io'], ['resourceclaims']),
    r(['patch', 'update'], ['resource.k8s.io'], ['resourceclaims', 'resourceclaims/status']), r(['patch', 'update'], [''], ['pods/status']), EVENTS,
    r(READ, ['scheduling.k8s.io'], ['podgroups']), r(['patch', 'update'], ['scheduling.k8s.io'], ['podgroups/status']),
    r(['patch', 'update'], ['resource.k8s.io'], ['resourceclaims/binding'])
  ]),
  c('resourcepoolstatusrequest-controller', [
    r(['delete', 'get', 'list', 'watch'], ['resource.k8s.io'], ['resourcepoolstatusrequests']), r(['patch', 'update'], ['resource.k8s.io'], ['resourcepoolstatusrequests/status']),
    r(READ, ['resource.k8s.io'], ['resourceslices']), r(READ, ['resource.k8s.io'], ['resourceclaims']), EVENTS
  ]),
  c('resourcequota-controller', [r(['list', 'watch'], ['*'], ['*']), r(['update'], [''], ['resourcequotas/status']), EVENTS]),
  c('root-ca-cert-publisher', [r(['create', 'update'], [''], ['configmaps']), EVENTS]),
  c('route-controller', [r(['list', 'watch'], [''], ['nodes']), r(['patch'], [''], ['nodes/status']), EVENTS]),
  c('selinux-warning-controller', [EVENTS, r(READ, [''], ['persistentvolumes']), r(READ, [''], ['persistentvolumeclaims']), r(READ, [''], ['pods']), r(READ, ['storage.k8s.io'], ['csidrivers'])]),
  c('service-account-controller', [r(['create'], [''], ['serviceaccounts']), EVENTS]),
  c('service-cidrs-controller', [
    r(['get', 'list', 'patch', 'update', 'watch'], ['networking.k8s.io'], ['servicecidrs']), r(['patch', 'update'], ['networking.k8s.io'], ['servicecidrs/finalizers']),
    r(['patch', 'update'], ['networking.k8s.io'], ['servicecidrs/status']), r(READ, ['networking.k8s.io'], ['ipaddresses']), EVENTS
  ]),
  c('service-controller', [r(READ, [''], ['services']), r(['patch', 'update'], [''], ['services/status']), r(['list', 'watch'], [''], ['nodes']), EVENTS]),
  c('statefulset-controller', [
    r(['list', 'watch'], [''], ['pods']), r(READ, ['apps'], ['statefulsets']), r(['update'], ['apps'], ['statefulsets/status']),
    r(['update'], ['apps'], ['statefulsets/finalizers']), r(['create', 'delete', 'get', 'patch', 'update'], [''], ['pods']),
    r(['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], ['apps'], ['controllerrevisions']), r(['create', 'get', 'list', 'watch'], [''], ['persistentvolumeclaims']),
    r(['delete', 'update'], [''], ['persistentvolumeclaims']), r(['update'], [''], ['pods/finalizers']), EVENTS
  ]),
  c('storage-version-garbage-collector', [
    r(READ, ['coordination.k8s.io'], ['leases']), r(['delete', 'get', 'list', 'patch', 'update', 'watch'], ['internal.apiserver.k8s.io'], ['storageversions']),
    r(['get', 'patch', 'update'], ['internal.apiserver.k8s.io'], ['storageversions/status'])
  ]),
  c('storage-version-migrator-controller', [
    r(['create', 'list', 'patch'], ['*'], ['*']), r(['get'], ['apiextensions.k8s.io'], ['customresourcedefinitions']),
    r(['patch'], ['apiextensions.k8s.io'], ['customresourcedefinitions/status']), r(['update'], ['storagemigration.k8s.io'], ['storageversionmigrations/status'])
  ]),
  c('ttl-after-finished-controller', [r(['delete', 'get', 'list', 'watch'], ['batch'], ['jobs']), EVENTS]),
  c('ttl-controller', [r(['list', 'patch', 'update', 'watch'], [''], ['nodes']), EVENTS]),
  c('validatingadmissionpolicy-status-controller', [
    r(READ, ['admissionregistration.k8s.io'], ['validatingadmissionpolicies']),
    r(['get', 'patch', 'update'], ['admissionregistration.k8s.io'], ['validatingadmissionpolicies/status']), EVENTS
  ]),
  c('volumeattributesclass-protection-controller', [
    r(READ, [''], ['persistentvolumeclaims']), r(READ, [''], ['persistentvolumes']), r(['get', 'list', 'update', 'watch'], ['storage.k8s.io'], ['volumeattributesclasses']),
    EVENTS
  ]),
];

/** The controllers of CONTROLLER_ROLES, by their service account's name. */
export const CONTROLLERS: readonly string[] = CONTROLLER_ROLES.map((role) => role.name.slice('system:controller:'.length));

const crb = (name: string, role: string, subjects: DefaultBindingSubject[]): RecognisedBinding => ({ kind: 'ClusterRoleBinding', name, roleRef: { kind: 'ClusterRole', name: role }, subjects });
const rb = (namespace: string, name: string, subjects: DefaultBindingSubject[]): RecognisedBinding => ({ kind: 'RoleBinding', namespace, name, roleRef: { kind: 'Role', name }, subjects });

const BOOTSTRAP_TOKENS = group('system:bootstrappers:kubeadm:default-node-token');

export const RECOGNISED_BINDINGS: readonly RecognisedBinding[] = [
  ...DEFAULT_CLUSTER_ROLE_BINDINGS.map((d) => crb(d.name, d.role, d.subjects)),
  ...CONTROLLERS.map((c) => crb(`system:controller:${c}`, `system:controller:${c}`, [sa(c)])),
  // bootstrappolicy/namespace_policy.go
  { ...rb('kube-system', 'system::extension-apiserver-authentication-reader', [user('system:kube-controller-manager'), user('system:kube-scheduler')]), roleRef: { kind: 'Role', name: 'extension-apiserver-authentication-reader' } },
  rb('kube-system', 'system::leader-locking-kube-controller-manager', [user('system:kube-controller-manager'), sa('kube-controller-manager'), sa('leader-election-controller')]),
  rb('kube-system', 'system::leader-locking-kube-scheduler', [user('system:kube-scheduler'), sa('kube-scheduler')]),
  rb('kube-system', 'system:controller:bootstrap-signer', [sa('bootstrap-signer')]),
  rb('kube-system', 'system:controller:cloud-provider', [sa('cloud-provider')]),
  rb('kube-system', 'system:controller:token-cleaner', [sa('token-cleaner')]),
  rb('kube-public', 'system:controller:bootstrap-signer', [sa('bootstrap-signer')]),
  // kubeadm (cmd/kubeadm/app/phases/{bootstraptoken/node,addons/proxy,addons/dns,kubeconfig}, constants.go)
  crb('kubeadm:apiserver-kubelet-client', 'system:kubelet-api-admin', [user('kube-apiserver-kubelet-client')]),
  crb('kubeadm:cluster-admins', 'cluster-admin', [group('kubeadm:cluster-admins')]),
  crb('kubeadm:get-nodes', 'kubeadm:get-nodes', [BOOTSTRAP_TOKENS]),
  crb('kubeadm:kubelet-bootstrap', 'system:node-bootstrapper', [BOOTSTRAP_TOKENS]),
  crb('kubeadm:node-autoapprove-bootstrap', 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', [BOOTSTRAP_TOKENS]),
  crb('kubeadm:node-autoapprove-certificate-rotation', 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [group('system:nodes')]),
  crb('kubeadm:node-proxier', 'system:node-proxier', [sa('kube-proxy')]),
  crb('system:coredns', 'system:coredns', [sa('coredns')]),
  rb('kube-system', 'kube-proxy', [BOOTSTRAP_TOKENS]),
  rb('kube-system', 'kubeadm:kubelet-config', [group('system:nodes'), BOOTSTRAP_TOKENS]),
  rb('kube-system', 'kubeadm:nodes-kubeadm-config', [BOOTSTRAP_TOKENS, group('system:nodes')]),
  // kubeadm phases/bootstraptoken/clusterinfo/clusterinfo.go: `kubeadm join` reads the cluster-info ConfigMap before it has credentials
  rb('kube-public', 'kubeadm:bootstrap-signer-clusterinfo', [user('system:anonymous')]),
];

/** RECOGNISED_BINDINGS by "kind/namespace/name". */
export const RECOGNISED_BINDING_BY_KEY: ReadonlyMap<string, RecognisedBinding> = new Map(RECOGNISED_BINDINGS.map((b) => [`${b.kind}/${b.namespace ?? ''}/${b.name}`, b]));

const role = (namespace: string, name: string, rules: Rule[]): RecognisedRole => ({ kind: 'Role', namespace, name, rules });
const LEADER_LOCKING = [r(['create', 'get', 'list', 'update', 'watch'], ['coordination.k8s.io'], ['leases']), r(['create', 'get', 'list', 'update', 'watch'], ['coordination.k8s.io'], ['leasecandidates'])];

/**
 * The Roles the apiserver itself creates in kube-system and kube-public at start, with its
 * ClusterRoles (bootstrappolicy/namespace_policy.go, created by the same post-start hook,
 * pkg/registry/rbac/rest/storage_rbac.go): the model fills these in, as DEFAULT_CLUSTER_ROLES and
 * CONTROLLER_ROLES, when the input lacks them. kubeadm's Roles are not the apiserver's: not filled in.
 */
export const NAMESPACE_ROLES: readonly RecognisedRole[] = [
  role('kube-system', 'extension-apiserver-authentication-reader', [r(READ, [''], ['configmaps'], ['extension-apiserver-authentication'])]),
  role('kube-system', 'system::leader-locking-kube-controller-manager', LEADER_LOCKING),
  role('kube-system', 'system::leader-locking-kube-scheduler', LEADER_LOCKING),
  role('kube-system', 'system:controller:bootstrap-signer', [r(READ, [''], ['secrets'])]),
  role('kube-system', 'system:controller:cloud-provider', [r(['create', 'get', 'list', 'watch'], [''], ['configmaps'])]),
  role('kube-system', 'system:controller:token-cleaner', [r(['delete', 'get', 'list', 'watch'], [''], ['secrets']), EVENTS]),
  role('kube-public', 'system:controller:bootstrap-signer', [r(READ, [''], ['configmaps']), r(['update'], [''], ['configmaps'], ['cluster-info']), EVENTS]),
];

/**
 * The roles RECOGNISED_BINDINGS refer to that DEFAULT_CLUSTER_ROLES does not hold, as Kubernetes
 * v1.36.3 and its kubeadm create them: a default binding of one is judged on the rules the role
 * has beyond these (kubeadm rewrites its roles at every upgrade; the apiserver adds to its own).
 */
export const RECOGNISED_ROLES: readonly RecognisedRole[] = [
  ...CONTROLLER_ROLES,
  ...NAMESPACE_ROLES,
  // kubeadm: phases/bootstraptoken/node/tlsbootstrap.go, addons/dns/manifests.go, addons/proxy/proxy.go, kubelet/config.go, uploadconfig/uploadconfig.go, bootstraptoken/clusterinfo/clusterinfo.go
  { kind: 'ClusterRole', name: 'kubeadm:get-nodes', rules: [r(['get'], [''], ['nodes'])] },
  { kind: 'ClusterRole', name: 'system:coredns', rules: [r(['list', 'watch'], [''], ['endpoints', 'services', 'pods', 'namespaces']), r(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices'])] },
  role('kube-system', 'kube-proxy', [r(['get'], [''], ['configmaps'], ['kube-proxy'])]),
  role('kube-system', 'kubeadm:kubelet-config', [r(['get'], [''], ['configmaps'], ['kubelet-config'])]),
  role('kube-system', 'kubeadm:nodes-kubeadm-config', [r(['get'], [''], ['configmaps'], ['kubeadm-config'])]),
  role('kube-public', 'kubeadm:bootstrap-signer-clusterinfo', [r(['get'], [''], ['configmaps'], ['cluster-info'])]),
];

/** RECOGNISED_ROLES by "ClusterRole:name" or "Role:namespace/name" (the model's role keys). */
export const RECOGNISED_ROLE_BY_KEY: ReadonlyMap<string, RecognisedRole> = new Map(RECOGNISED_ROLES.map((x) => [x.kind === 'Role' ? `Role:${x.namespace}/${x.name}` : `ClusterRole:${x.name}`, x]));
