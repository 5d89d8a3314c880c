// Which grants give a workload's service account a reason for its token: the account's own
// (by ServiceAccount subject or by its user name) and its namespace's group count; grants to
// every authenticated identity or every service account do not (workload-identity.ts asks for
// the account's grants without those groups).
import { describe, expect, it } from 'vitest';
import { rbacChecks } from '../../../checks/rbac/index.ts';
import { RBAC, run, snap } from './helpers.ts';

const check = (id: string) => rbacChecks.find((c) => c.id === id)!;

const deployment = (ns: string, name: string, sa?: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      ${sa ? `serviceAccountName: ${sa}` : 'hostname: x'}
      containers: [{name: c, image: example/${name}:1}]`;

const role = (name: string, resource: string) => `apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: ${name}}
rules: [{apiGroups: [""], resources: [${resource}], verbs: [get, list]}]`;

const binding = (kind: 'ClusterRoleBinding' | 'RoleBinding', name: string, roleName: string, subject: string, ns?: string) => `apiVersion: ${RBAC}
kind: ${kind}
metadata: {name: ${name}${ns ? `, namespace: ${ns}` : ''}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${roleName}}
subjects: [${subject}]`;

const CLUSTER = snap([
  role('pods-reader', 'pods'), role('secrets-reader', 'secrets'), role('cm-reader', 'configmaps'),
  binding('ClusterRoleBinding', 'everyone-pods', 'pods-reader', '{kind: Group, name: system:authenticated, apiGroup: rbac.authorization.k8s.io}'),
  binding('ClusterRoleBinding', 'all-sas-secrets', 'secrets-reader', '{kind: Group, name: system:serviceaccounts, apiGroup: rbac.authorization.k8s.io}'),
  binding('RoleBinding', 'shop-sas', 'cm-reader', '{kind: Group, name: "system:serviceaccounts:shop", apiGroup: rbac.authorization.k8s.io}', 'shop'),
  binding('RoleBinding', 'api-as-user', 'cm-reader', '{kind: User, name: "system:serviceaccount:web:api", apiGroup: rbac.authorization.k8s.io}', 'web'),
  deployment('shop', 'cart', 'cart'), deployment('web', 'api', 'api'), deployment('web', 'other', 'other'),
  deployment('ops', 'tool'), deployment('shop', 'legacy'),
].join('\n---\n'));

const byName = (id: string) => new Map(run(check(id), CLUSTER).map((v) => [`${v.resource.namespace}/${v.resource.name}`, v]));

describe('workload identities', () => {
  it('count the account\'s own and its namespace group\'s grants, not those of every identity or every account', () => {
    const v = byName('rbac.serviceaccount-token-automount');
    expect(v.get('shop/cart')?.status).toBe('pass'); // its namespace's group
    expect(v.get('web/api')?.status).toBe('pass'); // its user name
    expect(v.get('web/other')?.status).toBe('fail'); // only everyone's grants
    expect(v.get('web/other')?.message).toBe('Deployment web/other mounts an API token of ServiceAccount web/other, which has no role bindings beyond discovery: neither the pod nor its ServiceAccount sets automountServiceAccountToken: false');
    expect(v.get('ops/tool')?.status).toBe('fail');
  });

  it('tell a default account with grants from one without, per namespace', () => {
    const v = byName('rbac.default-serviceaccount-used');
    expect(v.get('shop/legacy')).toMatchObject({
      status: 'fail', severity: 'medium',
      evidence: { serviceAccount: { namespace: 'shop', name: 'default' }, tokenMounted: true, grants: [{ binding: 'shop-sas', role: 'cm-reader', namespace: 'shop' }] },
    });
    expect(v.get('ops/tool')).toMatchObject({ status: 'fail', severity: 'low', evidence: { grants: [] } });
    expect(v.get('web/api')?.status).toBe('pass');
  });
});

// Non-resource URLs are granted by ClusterRoles through ClusterRoleBindings only
// (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources: "nonResourceURLs ...
// can only be granted by a ClusterRole bound with a ClusterRoleBinding"). A scraper allowed GET /metrics uses its
// token; one allowed only the discovery paths everyone gets (system:discovery, system:public-info-viewer) does not.
describe('non-resource grants (reviewer repro m4: prom bound to GET /metrics)', () => {
  const nonResource = (name: string, urls: string) => `apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: ${name}}
rules: [{nonResourceURLs: ${urls}, verbs: [get]}]`;
  const sa = (ns: string, name: string) => `{kind: ServiceAccount, name: ${name}, namespace: ${ns}}`;
  const s = snap([
    nonResource('metrics-reader', '["/metrics"]'), nonResource('version-reader', '["/version", "/healthz"]'),
    binding('ClusterRoleBinding', 'prom-metrics', 'metrics-reader', sa('mon', 'prom')),
    binding('ClusterRoleBinding', 'probe-version', 'version-reader', sa('mon', 'probe')),
    binding('RoleBinding', 'ns-metrics', 'metrics-reader', sa('mon', 'local'), 'mon'),
    deployment('mon', 'prom', 'prom'), deployment('mon', 'probe', 'probe'), deployment('mon', 'local', 'local'),
  ].join('\n---\n'));
  const v = new Map(run(check('rbac.serviceaccount-token-automount'), s).map((x) => [x.resource.name, x]));

  it('passes an account bound cluster-wide to GET /metrics: it uses its token', () => {
    expect(v.get('prom')?.status).toBe('pass');
    expect(v.get('prom')?.message).toContain('which has role bindings');
  });

  it('still fails an account granted only discovery paths, or /metrics through a RoleBinding (which grants no URL)', () => {
    expect(v.get('probe')?.status).toBe('fail');
    expect(v.get('local')?.status).toBe('fail');
  });
});

// A finished Job makes no pods again (https://kubernetes.io/docs/concepts/workloads/controllers/job/
// "Job termination and cleanup"): with none left, no pod mounts its account's token, as in the
// Pod Security checks (src/analysis/workloads.ts judgedPodsOf). A suspended Job's template will.
describe('a live standalone Job with no pods', () => {
  const job = (name: string, status: string) => `apiVersion: batch/v1
kind: Job
metadata: {name: ${name}, namespace: ops}
spec:
  ${status === 'suspended' ? 'suspend: true' : 'backoffLimit: 1'}
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: example/${name}:1}]
${status === 'suspended' ? '' : `status: {conditions: [{type: ${status}, status: "True"}]}`}`;
  it('is judged by its template until it has finished, then not at all', () => {
    const s = snap([job('migrate', 'Complete'), job('import', 'Failed'), job('later', 'suspended')].join('\n---\n'));
    s.source = 'live';
    s.origin = 'live';
    for (const id of ['rbac.serviceaccount-token-automount', 'rbac.default-serviceaccount-used']) {
      expect(run(check(id), s).map((v) => `${v.resource.kind}/${v.resource.name}:${v.status}`)).toEqual(['Job/later:fail']);
    }
  });
});

describe('a projected service account token with automountServiceAccountToken: false (reviewer repro s8)', () => {
  // "Configure Service Accounts for Pods" (kubernetes.io/docs/tasks/configure-pod-container/
  // configure-service-account/, "Launch a Pod using service account token projection"): the
  // audience of a projected token defaults to the identifier of the API server, so a
  // serviceAccountToken source without audience is an API token like the automounted one.
  const pod = (token: string, mounted = true) => snap(`apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  serviceAccountName: web
  automountServiceAccountToken: false
  containers:
  - name: web
    image: nginx:1.27
    ${mounted ? 'volumeMounts: [{name: kube-api-token, mountPath: /var/run/secrets/kubernetes.io/serviceaccount, readOnly: true}]' : 'args: [x]'}
  volumes:
  - name: kube-api-token
    projected:
      sources:
      - serviceAccountToken: ${token}
      - configMap: {name: kube-root-ca.crt, items: [{key: ca.crt, path: ca.crt}]}`);
  const verdict = (s: ReturnType<typeof snap>) => run(check('rbac.serviceaccount-token-automount'), s)[0];

  it('without audience: an API token, so the unbound account fails', () => {
    const v = verdict(pod('{path: token, expirationSeconds: 3607}'));
    expect(v.status).toBe('fail');
    expect(v.message).toBe('Pod shop/web mounts an API token of ServiceAccount shop/web, which has no role bindings beyond discovery: automountServiceAccountToken is false, but the pod mounts a projected serviceAccountToken for the API server (volume kube-api-token, no audience, so the API server\'s)');
    expect(v.evidence).toMatchObject({ automountDecidedBy: 'projected', projectedToken: { volume: 'kube-api-token', apiToken: true } });
  });

  it('with the in-cluster API server as audience: an API token too', () => {
    expect(verdict(pod('{path: token, audience: "https://kubernetes.default.svc.cluster.local"}')).status).toBe('fail');
  });

  it('with another audience (Vault): no API token, and the pass says so', () => {
    const v = verdict(pod('{path: token, audience: vault}'));
    expect(v.status).toBe('pass');
    expect(v.message).toBe('Pod shop/web does not mount an API token (its projected token in volume kube-api-token is for audience "vault", not the API server)');
  });

  it('a projected volume no container mounts puts no token on any filesystem', () => {
    expect(verdict(pod('{path: token}', false)).message).toBe('Pod shop/web does not mount an API token');
  });
});

// Each Argo Workflow step's pod runs as its template's serviceAccountName, the Workflow's or the
// namespace's default otherwise ("If you don't specify a ServiceAccount, Workflow pods use the
// default ServiceAccount from the namespace the workflow runs in",
// https://argo-workflows.readthedocs.io/en/latest/service-accounts/). The Workflow controls every
// step's pod: the identity checks judge each account a step runs as, not the first step's only.
describe('pods of one Argo Workflow running as different ServiceAccounts (reviewer repro: own/sa.yaml, own/pods.yaml)', () => {
  const step = (name: string, sa?: string, labels = '') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ci
  labels: {workflows.argoproj.io/workflow: wf${labels}}
  ownerReferences: [{apiVersion: argoproj.io/v1alpha1, kind: Workflow, name: wf, uid: 1111aaaa-0000-4000-8000-0000000000f1, controller: true}]
spec:
  ${sa ? `serviceAccountName: ${sa}` : 'hostname: x'}
  containers: [{name: main, image: alpine}]
status: {phase: Running}`;
  const live = (yaml: string) => Object.assign(snap(yaml), { source: 'live', origin: 'live' } as const);

  it('a step running as a bound default account is rbac.default-serviceaccount-used, though another step runs as its own account', () => {
    const s = live([
      'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: builder, namespace: ci}\nautomountServiceAccountToken: false',
      'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default, namespace: ci}',
      binding('RoleBinding', 'default-edit', 'edit', '{kind: ServiceAccount, name: default, namespace: ci}', 'ci'),
      `apiVersion: ${RBAC}\nkind: ClusterRole\nmetadata: {name: edit}\nrules: [{apiGroups: [apps], resources: [deployments], verbs: [create, update]}]`,
      step('wf-build-1', 'builder'), step('wf-deploy-2'),
    ].join('\n---\n'));
    const used = run(check('rbac.default-serviceaccount-used'), s);
    expect(used.filter((v) => v.status === 'fail').map((v) => [v.resource, v.severity])).toEqual([[{ kind: 'Pod', namespace: 'ci', name: 'wf-deploy-2' }, 'medium']]);
    expect(used.find((v) => v.resource.name === 'wf-deploy-2')?.message).toMatch(/^Pod ci\/wf-deploy-2 runs as ServiceAccount ci\/default, whose token it mounts/);
  });

  it('rbac.serviceaccount-token-automount names each step\'s own account', () => {
    const v = run(check('rbac.serviceaccount-token-automount'), live([step('wf-build-1', 'builder', ', step: build'), step('wf-test-2', 'tester', ', step: test')].join('\n---\n')));
    expect(v.map((x) => `${x.resource.kind}/${x.resource.name}:${x.status}`).sort()).toEqual(['Pod/wf-build-1:fail', 'Pod/wf-test-2:fail']);
    expect(v.map((x) => x.message).sort()).toEqual([
      'Pod ci/wf-build-1 mounts an API token of ServiceAccount ci/builder, which has no role bindings beyond discovery: neither the pod nor its ServiceAccount sets automountServiceAccountToken: false',
      'Pod ci/wf-test-2 mounts an API token of ServiceAccount ci/tester, which has no role bindings beyond discovery: neither the pod nor its ServiceAccount sets automountServiceAccountToken: false',
    ]);
  });
});
