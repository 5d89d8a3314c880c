// An object written twice is applied twice by `kubectl apply -f DIR`: the second apply is an
// update, and an update that changes a field the API server refuses to change is refused, so the
// cluster keeps the FIRST copy. Sources, cited where ztaudit reads them (immutableChange in
// src/collect/manifests.ts):
// - roleRef: "After you create a binding, you cannot change the Role or ClusterRole that it
//   refers to" (kubernetes.io/docs/reference/access-authn-authz/rbac/#clusterrolebinding-example);
// - an immutable ConfigMap: "it is not possible to revert this change nor to mutate the contents
//   of the data or the binaryData field" (kubernetes.io/docs/concepts/configuration/configmap/#configmap-immutable);
// - apps/v1 Deployment spec.selector: "a Deployment's label selector is immutable after it gets
//   created" (kubernetes.io/docs/concepts/workloads/controllers/deployment/#label-selector-updates).
// Apply order: documents of a file in order, files of a directory in lexical (byte) order
// (kubernetes/cli-runtime pkg/resource/visitor.go, v0.36.0: StreamVisitor.Visit decodes a file's
// documents in turn; ExpandPathsToFileVisitors walks with filepath.Walk, "in lexical order").
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { CHECKS } from '../../../checks/index.ts';

const NOW = new Date('2026-12-01T00:00:00Z');

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'zt-immutable-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function audit(dirs: string[]) {
  const snapshot = loadManifests(dirs, { cwd: '/' });
  const report = auditSnapshot({ snapshot, config: defaultConfig(), checks: CHECKS, now: NOW, startedAt: NOW, runId: 'r1' }).report;
  const status = (id: string) => report.checks.find((c) => c.id === id)!.status;
  const once = snapshot.notes.filter((n) => n.includes('is defined more than once'));
  return { snapshot, report, status, once };
}

const NS = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n';
const crb = (role: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${role}}
subjects: [{kind: User, name: alice}]
`;
const aliceAdmin = (r: ReturnType<typeof audit>) => r.report.findings.filter((f) => f.check === 'rbac.cluster-admin-binding' && JSON.stringify(f).includes('alice'));

describe('a binding defined twice with another roleRef', () => {
  it('in one file: the first copy is what the cluster keeps, so alice keeps cluster-admin (critical), and the warning names both places and why', () => {
    const r = audit([dirWith({ 'c.yaml': `${crb('cluster-admin')}---\n${crb('view')}`, 'ns.yaml': NS })]);
    expect(r.status('rbac.cluster-admin-binding')).toBe('fail');
    expect(aliceAdmin(r).map((f) => f.severity)).toEqual(['critical']);
    expect(r.once).toHaveLength(1);
    expect(r.once[0]).toMatch(/^ClusterRoleBinding b is defined more than once \(.*c\.yaml:1, .*c\.yaml:7\): .*c\.yaml:7 changes roleRef, which the API server refuses to change on update \(kubectl apply -f sends .*c\.yaml:1 first: files in lexical order, each top to bottom\); the cluster keeps .*c\.yaml:1, which is audited$/);
  });

  it('the same roleRef written twice: the last copy is audited as before (its subjects changed)', () => {
    const r = audit([dirWith({ 'c.yaml': `${crb('cluster-admin')}---\n${crb('cluster-admin').replace('alice', 'bob')}`, 'ns.yaml': NS })]);
    expect(aliceAdmin(r)).toEqual([]);
    expect(r.once[0]).toMatch(/: the last one read, .*c\.yaml:7, is audited$/);
  });

  it('in two files of one directory: lexical order decides (a.yaml first), whatever else', () => {
    const r = audit([dirWith({ 'a.yaml': crb('cluster-admin'), 'b.yaml': crb('view'), 'ns.yaml': NS })]);
    expect(aliceAdmin(r).map((f) => f.severity)).toEqual(['critical']);
  });

  it('apply order that cannot be told (byte order B.yaml < a.yaml, or two directories): RBAC counts as not read, no check passes on a guess', () => {
    for (const dirs of [[dirWith({ 'a.yaml': crb('view'), 'B.yaml': crb('cluster-admin'), 'ns.yaml': NS })], [dirWith({ 'x.yaml': crb('view'), 'ns.yaml': NS }), dirWith({ 'y.yaml': crb('cluster-admin') })]]) {
      const r = audit(dirs);
      expect(r.snapshot.coverage.clusterrolebindings?.status).toBe('error');
      expect(r.status('rbac.cluster-admin-binding')).toBe('not-evaluated');
      expect(r.once).toHaveLength(1);
      expect(r.once[0]).toMatch(/differ in roleRef, which the API server refuses to change on update, and in which order kubectl apply sends them cannot be told .*; so clusterrolebindings count as not read$/);
    }
  });
});

const NGINX = `apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  selector: {matchLabels: {app: ingress-nginx}}
  template:
    metadata: {labels: {app: ingress-nginx}}
    spec:
      containers:
        - name: controller
          image: registry.k8s.io/ingress-nginx/controller:v1.15.1
          args: [/nginx-ingress-controller, --configmap=$(POD_NAMESPACE)/ingress-nginx-controller]
          env: [{name: POD_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  ingressClassName: nginx
  tls: [{hosts: [a.example.com], secretName: web-tls}]
  rules: [{host: a.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
---
${NS}---
apiVersion: v1
kind: Namespace
metadata: {name: ingress-nginx}
`;
const cm = (immutable: boolean, hsts: string) => `apiVersion: v1
kind: ConfigMap
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
${immutable ? 'immutable: true\n' : ''}data: {hsts: "${hsts}"}
`;

describe('a ConfigMap defined twice', () => {
  it('immutable in the first copy: the later copy\'s data is refused, so hsts "false" stays and tls.hsts-disabled fails', () => {
    const r = audit([dirWith({ 'a.yaml': `${NGINX}---\n${cm(true, 'false')}`, 'b.yaml': cm(true, 'true') })]);
    expect(r.status('tls.hsts-disabled')).toBe('fail');
    expect(r.once[0]).toMatch(/b\.yaml:1 changes data \(the copy applied first is immutable: true\), which the API server refuses to change on update .*; the cluster keeps .*a\.yaml:\d+, which is audited$/);
  });

  it('immutable turned off in the later copy is refused too', () => {
    const r = audit([dirWith({ 'a.yaml': `${NGINX}---\n${cm(true, 'false')}`, 'b.yaml': cm(false, 'true') })]);
    expect(r.status('tls.hsts-disabled')).toBe('fail');
  });

  it('not immutable: the later copy is applied, hsts "true" is audited and passes', () => {
    const r = audit([dirWith({ 'a.yaml': `${NGINX}---\n${cm(false, 'false')}`, 'b.yaml': cm(false, 'true') })]);
    expect(r.status('tls.hsts-disabled')).toBe('pass');
  });
});

describe('an apps/v1 Deployment defined twice with another selector', () => {
  const deploy = (app: string, privileged: boolean) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: ${app}}}
  template:
    metadata: {labels: {app: ${app}}}
    spec:
      containers: [{name: c, image: nginx:1.27, securityContext: {privileged: ${privileged}}}]
`;
  it('the later copy is refused: the first (privileged) template is what runs', () => {
    const s = loadManifests([dirWith({ 'a.yaml': `${NS}---\n${deploy('web', true)}---\n${deploy('web2', false)}` })], { cwd: '/' });
    expect(s.resources.deployments?.map((d) => JSON.stringify((d.spec as { template: unknown }).template))).toEqual([expect.stringContaining('"privileged":true')]);
    expect(s.notes.find((n) => n.includes('defined more than once'))).toMatch(/changes spec\.selector, which the API server refuses to change on update/);
  });
});
