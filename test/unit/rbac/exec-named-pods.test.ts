// Exec, attach or an ephemeral container limited to named pods acts only as the service accounts
// those pods run as. A rule with resourceNames allows a request only on the objects it names, and
// a subresource request such as create pods/exec carries its pod's name
// (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources: "you can
// restrict requests by resource name ... for get, update, patch, delete", and a request on a
// subresource names its object; reference checks.md §3.2). Exec into a pod acts with the
// token of that pod's ServiceAccount (https://kubernetes.io/docs/concepts/security/rbac-good-practices/,
// "Workload creation": access to a pod is access to the ServiceAccount it runs as). So a Role
// granting create pods/exec on [web-0] reaches web-0's account, not a cluster-admin account of
// another pod of the namespace, whereas the same Role without resourceNames reaches every pod.
import { describe, expect, it } from 'vitest';
import { rbacChecks } from '../../../checks/rbac/index.ts';
import { whoCanCommandCore } from '../../../src/cli/access-text.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { run, snap } from './helpers.ts';

const check = rbacChecks.find((c) => c.id === 'rbac.pod-exec-attach')!;

/**
 * Namespace shop: pod web-0 runs as shop/web (nothing granted), pod admin-0 as shop/admin-sa
 * (cluster-admin). It enforces baseline, so an ephemeral container added there cannot be a
 * privileged one (that is exec-node-escape.test.ts's): only the accounts rate it here.
 */
const SHOP = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {pod-security.kubernetes.io/enforce: baseline}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: admin-sa, namespace: shop}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web-0, namespace: shop}
spec: {serviceAccountName: web, containers: [{name: app, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: admin-0, namespace: shop}
spec: {serviceAccountName: admin-sa, containers: [{name: app, image: tool}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: shop-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: admin-sa, namespace: shop}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev-exec, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: exec}
subjects: [{kind: User, name: dev, apiGroup: rbac.authorization.k8s.io}]
`;
const ROLE = (rule: string) => `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: exec, namespace: shop}
rules: [${rule}]
`;
const EXEC = (names?: string[]) => `{apiGroups: [""], resources: [pods/exec], verbs: [create]${names ? `, resourceNames: [${names.join(', ')}]` : ''}}`;
const NOTE_ADMIN = '. Namespace shop holds ServiceAccount shop/admin-sa, which has dangerous permissions cluster-wide: this access there is a way to act as it, so it is rated as in kube-system';

const manifests = (rule: string): Snapshot => snap(SHOP + ROLE(rule));
/** A live cluster's snapshot: its pod listing is complete, so a pod not in it does not exist. */
const live = (rule: string): Snapshot => ({ ...snap(SHOP + ROLE(rule)), origin: 'live' });
const dev = (s: Snapshot) => run(check, s).find((v) => v.resource.name === 'dev')!;

describe('rbac.pod-exec-attach: exec limited to named pods acts as those pods\' accounts only', () => {
  it('pods/exec on [web-0] (runs as shop/web) beside admin-0 (shop/admin-sa, cluster-admin): medium, not "a way to act as" shop/admin-sa', () => {
    for (const s of [manifests(EXEC(['web-0'])), live(EXEC(['web-0']))]) {
      const v = dev(s);
      expect(v.status).toBe('fail');
      expect(v.severity).toBe('medium');
      expect(v.message).toBe('User:dev can exec into pods in namespace shop (create pods/exec) via RoleBinding shop/dev-exec → Role shop/exec');
    }
  });

  it('the same Role without resourceNames reaches every pod of shop: rated as in kube-system, naming shop/admin-sa', () => {
    for (const s of [manifests(EXEC()), live(EXEC())]) {
      const v = dev(s);
      expect(v.severity).toBeUndefined();
      expect(v.message).toContain(NOTE_ADMIN);
    }
  });

  it('naming admin-0 (or both pods) acts as shop/admin-sa: rated as in kube-system', () => {
    for (const names of [['admin-0'], ['web-0', 'admin-0']]) {
      const v = dev(live(EXEC(names)));
      expect(v.severity, names.join()).toBeUndefined();
      expect(v.message, names.join()).toContain(NOTE_ADMIN);
    }
  });

  it('attach and ephemeral containers on [web-0] are limited the same way; portforward never acts as an account', () => {
    const attach = '{apiGroups: [""], resources: [pods/attach], verbs: [create], resourceNames: [web-0]}';
    const ephemeral = '{apiGroups: [""], resources: [pods/ephemeralcontainers], verbs: [patch], resourceNames: [web-0]}';
    for (const rule of [attach, ephemeral]) expect(dev(live(rule)).severity, rule).toBe('medium');
    expect(dev(live(ephemeral.replace('[web-0]', '[admin-0]'))).severity).toBeUndefined();
  });

  it('a named rule beside one for every pod of shop: every account counts', () => {
    const v = dev(live(`${EXEC(['web-0'])}, {apiGroups: [""], resources: [pods/attach], verbs: [create]}`));
    expect(v.severity).toBeUndefined();
    expect(v.message).toContain(NOTE_ADMIN);
  });

  it('a named pod a live cluster does not run (web-9): nothing now, medium, and the finding says a pod of that name could be created as shop/admin-sa', () => {
    const v = dev(live(EXEC(['web-9'])));
    expect(v.severity).toBe('medium');
    expect(v.message).toBe('User:dev can exec into pods in namespace shop (create pods/exec) via RoleBinding shop/dev-exec → Role shop/exec. '
      + 'Pod shop/web-9, which its exec is limited to, does not exist now: whoever can create pods in shop can create one by that name running as ServiceAccount shop/admin-sa, which this access would then act as');
  });

  it('a named pod that does not exist runs as no account, so not as a member of system:serviceaccounts:shop either', () => {
    // Every account of shop is cluster-admin through its group (kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-subjects).
    const group = `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: shop-sas-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: Group, name: "system:serviceaccounts:shop", apiGroup: rbac.authorization.k8s.io}]
`;
    const at = (names: string[]): Snapshot => ({ ...snap(SHOP + ROLE(EXEC(names)) + group), origin: 'live' });
    expect(dev(at(['web-9'])).severity).toBe('medium');
    expect(dev(at(['web-9'])).message).toContain('Pod shop/web-9, which its exec is limited to, does not exist now: whoever can create pods in shop can create one by that name running as ');
    // web-0 runs as shop/web, a member of the group.
    expect(dev(at(['web-0'])).message).toContain('. Namespace shop holds all service accounts (group system:serviceaccounts:shop), which have dangerous permissions cluster-wide');
  });

  it('a named pod the manifests neither hold nor make (no StatefulSet of that name), or pods a live run could not read: it may run as any account, as before', () => {
    expect(dev(manifests(EXEC(['web-9']))).severity).toBeUndefined();
    const s = live(EXEC(['web-0']));
    s.coverage.pods = { status: 'forbidden', detail: 'list pods (refused in test)' };
    delete s.resources.pods;
    const v = dev(s);
    expect(v.severity).toBeUndefined();
    expect(v.message).toContain(NOTE_ADMIN);
  });

  it('who-can create pods/exec --name agrees: dev is listed for web-0, not for admin-0', () => {
    const s = live(EXEC(['web-0']));
    expect(whoCanCommandCore(s, { verb: 'create', resource: 'pods/exec', namespace: 'shop', name: 'web-0' }).output).toContain('User:dev');
    const admin = whoCanCommandCore(s, { verb: 'create', resource: 'pods/exec', namespace: 'shop', name: 'admin-0' });
    expect(admin.output).not.toContain('User:dev');
    // Without resourceNames, dev is listed for both.
    expect(whoCanCommandCore(live(EXEC()), { verb: 'create', resource: 'pods/exec', namespace: 'shop', name: 'admin-0' }).output).toContain('User:dev');
  });
});

// From manifests a StatefulSet's pods are not objects, but their names and accounts are known:
// "For a StatefulSet with N replicas, each Pod in the StatefulSet will be assigned an integer
// ordinal, that is unique over the Set. By default, pods will be assigned ordinals from 0 up
// through N-1", ".spec.ordinals.start ... ordinals from .spec.ordinals.start up through
// .spec.ordinals.start + .spec.replicas - 1", and "Each Pod in a StatefulSet derives its hostname
// from the name of the StatefulSet and the ordinal of the Pod. The pattern for the constructed
// hostname is $(statefulset name)-$(ordinal)"
// (https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#pod-identity). Each runs
// the StatefulSet's template, so as its ServiceAccount.
describe('rbac.pod-exec-attach: from manifests, a named pod a StatefulSet makes runs as the StatefulSet\'s account', () => {
  /** StatefulSet `NAME` in shop running as `sa`, with `extra` spec fields (replicas, ordinals). */
  const sts = (name: string, sa: string, extra = '') => `
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ${name}, namespace: shop}
spec:
  serviceName: ${name}
  selector: {matchLabels: {app: ${name}}}
${extra}  template:
    metadata: {labels: {app: ${name}}}
    spec: {serviceAccountName: ${sa}, containers: [{name: app, image: db}]}
`;
  /** SHOP without its two Pod objects: the manifests of a chart hold StatefulSets, not pods. */
  const NO_PODS = SHOP.split('\n---\n').filter((doc) => !/^kind: Pod$/m.test(doc)).join('\n---\n');
  const at = (names: string[], sets: string): Snapshot => snap(NO_PODS + sets + ROLE(EXEC(names)));
  const DB = sts('db', 'web', '  replicas: 3\n');

  it('the scene holds no Pod objects', () => {
    expect(at(['db-0'], DB).resources.pods ?? []).toEqual([]);
    expect(at(['db-0'], DB).resources.serviceaccounts?.map((o) => o.metadata?.name)).toEqual(['web', 'admin-sa', 'default']);
  });

  it('pods/exec on [db-0, db-2] of StatefulSet db (3 replicas, running as shop/web): medium, as exec into pods that run as shop/web', () => {
    const v = dev(at(['db-0', 'db-2'], DB));
    expect(v.severity).toBe('medium');
    expect(v.message).toBe('User:dev can exec into pods in namespace shop (create pods/exec) via RoleBinding shop/dev-exec → Role shop/exec');
  });

  it('a StatefulSet running as shop/admin-sa: exec on its pod admin-1 is rated as in kube-system, naming shop/admin-sa', () => {
    const v = dev(at(['admin-1'], DB + sts('admin', 'admin-sa', '  replicas: 2\n')));
    expect(v.severity).toBeUndefined();
    expect(v.message).toContain(NOTE_ADMIN);
  });

  it('ordinals past the replicas (db-3), written otherwise (db-01, db--1) or of no StatefulSet (cache-0) are unknown: any account, as before', () => {
    for (const name of ['db-3', 'db-01', 'db--1', 'cache-0', 'db']) {
      const v = dev(at([name], DB));
      expect(v.severity, name).toBeUndefined();
      expect(v.message, name).toContain(NOTE_ADMIN);
    }
  });

  it('replicas unset is one pod, db-0; replicas 0 is none', () => {
    expect(dev(at(['db-0'], sts('db', 'web'))).severity).toBe('medium');
    expect(dev(at(['db-1'], sts('db', 'web'))).severity).toBeUndefined();
    expect(dev(at(['db-0'], sts('db', 'web', '  replicas: 0\n'))).severity).toBeUndefined();
  });

  it('.spec.ordinals.start 5 with 2 replicas: db-5 and db-6, not db-0 or db-7', () => {
    const set = sts('db', 'web', '  replicas: 2\n  ordinals: {start: 5}\n');
    expect(dev(at(['db-5', 'db-6'], set)).severity).toBe('medium');
    for (const name of ['db-0', 'db-7']) expect(dev(at([name], set)).severity, name).toBeUndefined();
  });

  it('a replicas or .spec.ordinals.start the API server would refuse (a string, a negative number) says nothing of its pods: db-0 is unknown', () => {
    for (const extra of ['  replicas: "3"\n', '  replicas: -1\n', '  replicas: 2\n  ordinals: {start: -1}\n', '  replicas: 2\n  ordinals: {start: "0"}\n']) {
      expect(dev(at(['db-0'], sts('db', 'web', extra))).severity, extra).toBeUndefined();
    }
  });

  it('a live cluster\'s StatefulSet is not read for its pods: the pods listed are (db-0 not running: none now)', () => {
    const v = dev({ ...at(['db-0'], DB), origin: 'live' });
    expect(v.severity).toBe('medium');
    expect(v.message).toContain('Pod shop/db-0, which its exec is limited to, does not exist now');
  });
});
