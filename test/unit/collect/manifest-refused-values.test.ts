// Objects the API server refuses for a value of the wrong type are not judged as if applied.
// ConfigMap.data is map[string]string and binaryData map[string][]byte (k8s.io/api core/v1
// types.go, v0.36.x); `hsts: false` unquoted is refused: "json: cannot unmarshal bool into Go
// struct field ConfigMap.data of type string" (helm/charts#9586). Subject.name is a required string
// and ClusterRoleBinding.roleRef is required (k8s.io/api rbac/v1 types.go, v0.36.x;
// https://kubernetes.io/docs/reference/kubernetes-api/authorization-resources/cluster-role-binding-v1/).
// Read leniently, the value was dropped and the setting judged as absent (a wrong pass, no word).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { CHECKS } from '../../../checks/index.ts';
import { NGINX } from './nginx-scene.ts';

const NOW = new Date('2026-12-01T00:00:00Z');

function audit(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'zt-refused-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const snapshot = loadManifests([dir], { clusterVersion: 'v1.36.0' });
  const report = auditSnapshot({ snapshot, config: defaultConfig(), checks: CHECKS, now: NOW, startedAt: NOW, runId: 'r1' }).report;
  const status = (id: string) => report.checks.find((c) => c.id === id)!.status;
  return { notes: snapshot.notes, status, snapshot };
}

const cm = (data: string) => `apiVersion: v1
kind: ConfigMap
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
${data}
`;

describe('ConfigMap data values that are not strings', () => {
  it('quoted: read and judged (hsts "false" fails tls.hsts-disabled)', () => {
    const r = audit({ 'a.yaml': NGINX, 'cm.yaml': cm('data: {hsts: "false"}') });
    expect(r.notes.filter((n) => n.includes('skipped'))).toEqual([]);
    expect(r.status('tls.hsts-disabled')).toBe('fail');
  });

  it.each([
    ['hsts-max-age: 300', 'data: {hsts-max-age: 300}', 'data.hsts-max-age is a number (300), not a string (quote it)'],
    ['hsts: false', 'data: {hsts: false}', 'data.hsts is a boolean (false), not a string (quote it)'],
    ['hsts: false beside a quoted value', 'data: {hsts: false, ssl-protocols: "TLSv1 TLSv1.2"}', 'data.hsts is a boolean (false), not a string (quote it)'],
    ['data as a list', 'data: [a, b]', 'data is a list, not a mapping'],
    ['binaryData value a number', 'binaryData: {k: 5}', 'binaryData.k is a number (5), not a string (quote it)'],
  ])('%s: skipped with a note naming the file and key; the TLS check is not evaluated, not passed', (_, data, key) => {
    const r = audit({ 'a.yaml': NGINX, 'cm.yaml': cm(data) });
    const skipped = r.notes.filter((n) => n.includes('skipped'));
    expect(skipped).toHaveLength(1);
    const line = `cm.yaml:1: skipped a ConfigMap whose ${key}`;
    expect(skipped[0]!.slice(-line.length)).toBe(line);
    expect(r.snapshot.coverage.configmaps?.status).toBe('error');
    expect(r.status('tls.hsts-disabled')).toBe('not-evaluated');
  });
});

// A value written `key: null` or `key:` is no wrong type, and `kubectl apply -f` creates the
// ConfigMap without that key (real kubectl and kube-apiserver v1.36.3:
// test/cluster/manifest-configmap-null.test.ts; `kubectl create` would keep it as "").
describe('ConfigMap data values that are null', () => {
  it.each([
    ['key: null', 'data:\n  hsts: "false"\n  extra: null\nbinaryData: {blob: null}'],
    ['key: with nothing after it', 'data:\n  hsts: "false"\n  extra:\nbinaryData:\n  blob:'],
  ])('%s: no key, as kubectl apply leaves it, not skipped; the TLS check is evaluated (hsts "false" fails)', (_, data) => {
    const r = audit({ 'a.yaml': NGINX, 'cm.yaml': cm(data) });
    expect(r.notes.filter((n) => n.includes('skipped'))).toEqual([]);
    expect(r.snapshot.coverage.configmaps?.status).toBe('ok');
    const [c] = r.snapshot.resources.configmaps ?? [];
    expect([c?.data, (c as { binaryData?: unknown } | undefined)?.binaryData]).toEqual([{ hsts: 'false' }, {}]);
    expect(r.status('tls.hsts-disabled')).toBe('fail');
  });

  it('hsts: null is no key, so ingress-nginx keeps its default (HSTS on): tls.hsts-disabled passes', () => {
    const r = audit({ 'a.yaml': NGINX, 'cm.yaml': cm('data: {hsts: null}') });
    expect(r.status('tls.hsts-disabled')).toBe('pass');
  });
});

const CRB = (body: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: b}
${body}
`;

describe('bindings the API server refuses', () => {
  it('a well-formed cluster-admin binding fails rbac.cluster-admin-binding', () => {
    const r = audit({ 'b.yaml': CRB('roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: User, name: alice}]') });
    expect(r.status('rbac.cluster-admin-binding')).toBe('fail');
  });

  it.each([
    ['subject name: 5', 'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: User, name: alice}, {kind: User, name: 5}]', 'subjects[1].name is a number (5), not a string'],
    ['roleRef missing', 'subjects: [{kind: User, name: alice}]', 'roleRef is missing (the API server requires it)'],
    ['roleRef a string', 'roleRef: cluster-admin\nsubjects: [{kind: User, name: alice}]', 'roleRef is a string (cluster-admin), not a mapping'],
  ])('%s: skipped with a note naming the key; the RBAC checks are not evaluated, never a pass', (_, body, key) => {
    const r = audit({ 'b.yaml': CRB(body), 'ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n' });
    const skipped = r.notes.filter((n) => n.includes('skipped'));
    expect(skipped).toHaveLength(1);
    const line = `b.yaml:1: skipped a ClusterRoleBinding whose ${key}`;
    expect(skipped[0]!.slice(-line.length)).toBe(line);
    expect(r.snapshot.coverage.clusterrolebindings?.status).toBe('error');
    expect(r.status('rbac.cluster-admin-binding')).toBe('not-evaluated');
  });
});
