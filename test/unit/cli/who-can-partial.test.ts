// `who-can` and `can` over a source whose RBAC objects were not all read (a cut-off
// `kubectl get clusterrolebindings -o yaml` List in --manifests, a 403 on a live cluster): the
// answer is a floor, said so, and exit 2. RBAC "permissions are purely additive (there are no
// "deny" rules)" (kubernetes.io/docs/reference/access-authn-authz/rbac/#role-and-clusterrole):
// a binding not read can add subjects to the list, never take one away, so a yes stands and a
// "nobody" or "no" does not.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { canCommandCore, whoCanCommandCore } from '../../../src/cli/access-text.ts';
import { main } from '../../../src/cli/main.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import type { KubeObject, Snapshot } from '../../../src/snapshot/types.ts';
import { captureIO } from '../../helpers/cli.ts';

/** `kubectl get clusterrolebindings -o yaml`, hand-edited: eve holds cluster-admin. */
const CRB_LIST = [
  'apiVersion: v1',
  'kind: List',
  'items:',
  '- apiVersion: rbac.authorization.k8s.io/v1',
  '  kind: ClusterRoleBinding',
  '  metadata:',
  '    name: contractor-admin',
  '  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}',
  '  subjects:',
  '  - {kind: User, name: eve, apiGroup: rbac.authorization.k8s.io}',
  '',
].join('\n');
/** The same List with one flow map left unclosed: the document does not parse. */
const CUT_LIST = CRB_LIST.replace('apiGroup: rbac.authorization.k8s.io}\n', 'apiGroup: rbac.authorization.k8s.io\n');
const NAMESPACE = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n';

function manifests(crbs: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'zt-whocan-'));
  mkdirSync(join(dir, 'm'));
  writeFileSync(join(dir, 'm/ns.yaml'), NAMESPACE);
  writeFileSync(join(dir, 'm/crbs.yaml'), crbs);
  return dir;
}

async function run(dir: string, ...args: string[]) {
  const t = captureIO(dir);
  const code = await main([...args, '--manifests', 'm'], t.cli);
  return { code, out: t.out(), err: t.errLines() };
}

describe('who-can over --manifests with a cut-off ClusterRoleBinding List', () => {
  it('control: the List well-formed lists eve, complete, exit 0', async () => {
    const r = await run(manifests(CRB_LIST), 'who-can', 'delete', 'nodes');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Subjects that can delete nodes cluster-wide:$/m);
    expect(r.out).toMatch(/^User:eve .*ClusterRoleBinding contractor-admin/m);
    expect(r.out).not.toContain('partial');
    const j = await run(manifests(CRB_LIST), 'who-can', 'delete', 'nodes', '-o', 'json');
    expect(j.code).toBe(0);
    expect(JSON.parse(j.out)).toMatchObject({ complete: true, unread: [] });
  });

  it('names each unread kind and why, calls the list a floor, exits 2', async () => {
    const r = await run(manifests(CUT_LIST), 'who-can', 'delete', 'nodes');
    expect(r.code).toBe(2);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^partial: clusterrolebindings could not be read \(error: m\/crbs\.yaml:1: broken YAML document: /);
    expect(lines[1]).toMatch(/^partial: clusterroles could not be read \(error: m\/crbs\.yaml:1: /);
    expect(lines[2]).toBe('At least these subjects can delete nodes cluster-wide (partial: clusterrolebindings, clusterroles could not be read, so others may):');
    // What was read still answers: system:masters through the bootstrap binding.
    expect(r.out).toMatch(/^Group:system:masters /m);
    expect(r.out).toMatch(/^at least 1 subject\.$/m);
    // An answer, not an error: on stdout.
    expect(r.err.join('\n')).not.toContain('At least');
  });

  it('-o json says complete: false and names the unread kinds, exit 2', async () => {
    const r = await run(manifests(CUT_LIST), 'who-can', 'delete', 'nodes', '-o', 'json');
    expect(r.code).toBe(2);
    const body = JSON.parse(r.out) as { complete: boolean; unread: Array<{ kind: string; status: string; detail: string }>; subjects: Array<{ subject: string }> };
    expect(body.complete).toBe(false);
    expect(body.unread.map((u) => [u.kind, u.status])).toEqual([['clusterrolebindings', 'error'], ['clusterroles', 'error']]);
    expect(body.unread[0].detail).toMatch(/^m\/crbs\.yaml:1: broken YAML document/);
    expect(body.subjects.map((s) => s.subject)).toEqual(['Group:system:masters']);
  });

  it('can: a no is unknown (exit 2), a yes stands (exit 0)', async () => {
    const no = await run(manifests(CUT_LIST), 'can', 'User:eve', 'delete', 'nodes');
    expect(no.code).toBe(2);
    expect(no.out).toMatch(/^unknown: no binding read lets User:eve .* delete nodes cluster-wide, but clusterrolebindings, clusterroles could not be read$/m);
    const yes = await run(manifests(CUT_LIST), 'can', 'Group:system:masters', 'delete', 'nodes');
    expect(yes.code).toBe(0);
    expect(yes.out).toMatch(/^yes: Group:system:masters .*can delete nodes cluster-wide$/m);
    expect(yes.out).toMatch(/^partial: clusterrolebindings could not be read/m);
  });
});

const LIVE_RBAC = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: secret-reader, namespace: shop}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: alice-secrets, namespace: shop}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secret-reader}
`;

/** As the live collector leaves a 403: the kind forbidden, the permission it lacked in the detail. */
function liveSnapshot(forbidden: string[]): Snapshot {
  const snapshot = snapshotFromObjects(parseAllDocuments(LIVE_RBAC).map((d) => d.toJS()) as KubeObject[], { clusterVersion: 'v1.34.1' });
  for (const kind of forbidden) snapshot.coverage[kind as keyof Snapshot['coverage']] = { status: 'forbidden', detail: `list ${kind}.rbac.authorization.k8s.io` };
  return snapshot;
}

describe('who-can over a live-style snapshot with RBAC kinds forbidden', () => {
  it('clusterrolebindings forbidden: the partial line, the floor, exit 2', () => {
    const r = whoCanCommandCore(liveSnapshot(['clusterrolebindings']), { verb: 'get', resource: 'secrets', namespace: 'shop' });
    expect(r.exitCode).toBe(2);
    expect(r.answered).toBe(true);
    expect(r.output.split('\n')[0]).toBe('partial: clusterrolebindings could not be read (forbidden: list clusterrolebindings.rbac.authorization.k8s.io)');
    expect(r.output).toMatch(/^At least these subjects can get secrets in namespace shop \(partial: clusterrolebindings could not be read, so others may\):$/m);
    expect(r.output).toMatch(/^User:alice +shop +RoleBinding shop\/alice-secrets/m);
  });

  it('nobody found with rolebindings forbidden is not "No subject can": exit 2, not 1', () => {
    const r = whoCanCommandCore(liveSnapshot(['rolebindings']), { verb: 'delete', resource: 'configmaps', namespace: 'shop' });
    expect(r.exitCode).toBe(2);
    expect(r.output).not.toMatch(/^No subject can/m);
    expect(r.output).toMatch(/^partial: rolebindings could not be read \(forbidden: list rolebindings\.rbac\.authorization\.k8s\.io\)$/m);
  });

  it('a cluster-scoped question does not depend on RoleBindings: complete, exit 0', () => {
    // A request on nodes carries no namespace, so no RoleBinding can grant it (rbac/#rolebinding-and-clusterrolebinding).
    const r = whoCanCommandCore(liveSnapshot(['rolebindings', 'roles']), { verb: 'delete', resource: 'nodes' });
    expect(r.exitCode).toBe(0);
    expect(r.output).not.toContain('partial');
  });

  it("can SUBJECT (a rule list) with roles forbidden is a floor: exit 2", () => {
    const r = canCommandCore(liveSnapshot(['roles']), { subject: 'User:alice' });
    expect(r.exitCode).toBe(2);
    expect(r.output).toMatch(/^At least the permissions of User:alice .*\(partial: roles could not be read\):$/m);
    expect(r.output).toMatch(/^Breadth: at least \d+ distinct/m);
  });

  it('a hostile detail stays on its line', () => {
    const snapshot = liveSnapshot([]);
    snapshot.coverage.clusterrolebindings = { status: 'error', detail: 'boom\nSubjects that can everything:' };
    const r = whoCanCommandCore(snapshot, { verb: 'delete', resource: 'nodes' });
    expect(r.output).not.toMatch(/^Subjects that can everything:/m);
  });
});
