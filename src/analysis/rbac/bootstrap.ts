// Kubernetes' bootstrap RBAC policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy), as the
// apiserver creates it at start: the model falls back to these when a snapshot (usually a
// manifests dir) lacks them, so a binding to `edit` or `view` means what it means in a cluster.
// The controller roles (system:controller:*) and kubeadm's bindings are only recognised, never
// filled in: RECOGNISED_BINDINGS.

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
    rules: [r(READ, [''], ['nodes']), r(['proxy'], [''], ['nodes']), r(['*'], [''], ['nodes/log', 'nodes/metrics', 'nodes/proxy', 'nodes/stats'])],
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
  { name: 'system:service-account-issuer-discovery', rules: [nr(['get'], ['/.well-known/openid-configuration', '/openid/v1/jwks'])] },
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

/** Non-resource paths every default policy opens to everyone: reaching only these is "discovery". */
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

/**
 * Controllers of kube-controller-manager, each bound by the bootstrap policy to its own role
 * (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/controller_policy.go: ClusterRoleBinding and
 * ClusterRole `system:controller:<name>`, subject ServiceAccount kube-system/<name>). Some exist
 * only behind feature gates; a name without its binding in the input recognises nothing.
 */
export const CONTROLLERS = [
  'attachdetach-controller', 'certificate-controller', 'clusterrole-aggregation-controller', 'cronjob-controller', 'daemon-set-controller',
  'deployment-controller', 'device-taint-eviction-controller', 'disruption-controller', 'endpoint-controller', 'endpointslice-controller',
  'endpointslicemirroring-controller', 'ephemeral-volume-controller', 'expand-controller', 'generic-garbage-collector', 'horizontal-pod-autoscaler',
  'job-controller', 'kube-apiserver-serving-clustertrustbundle-publisher', 'legacy-service-account-token-cleaner', 'namespace-controller',
  'node-controller', 'persistent-volume-binder', 'pod-garbage-collector', 'podcertificaterequestcleaner', 'pv-protection-controller',
  'pvc-protection-controller', 'replicaset-controller', 'replication-controller', 'resource-claim-controller', 'resourcequota-controller',
  'root-ca-cert-publisher', 'route-controller', 'selinux-warning-controller', 'service-account-controller', 'service-cidrs-controller',
  'service-controller', 'statefulset-controller', 'storage-version-garbage-collector', 'storage-version-migrator-controller',
  'ttl-after-finished-controller', 'ttl-controller', 'validatingadmissionpolicy-status-controller', 'volumeattributesclass-protection-controller',
];

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
];

/** RECOGNISED_BINDINGS by "kind/namespace/name". */
export const RECOGNISED_BINDING_BY_KEY: ReadonlyMap<string, RecognisedBinding> = new Map(RECOGNISED_BINDINGS.map((b) => [`${b.kind}/${b.namespace ?? ''}/${b.name}`, b]));
