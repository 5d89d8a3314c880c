// `ztaudit can -o json`: the answer a script reads, in who-can -o json's shape (question as the
// request carries it, complete/unread, each grant's scope, binding, role and rule), with
// `allowed` as reach -o json has it (true, false, null when it cannot be told), and the exit
// codes of the text output, which follow `kubectl auth can-i` (0 yes, 1 no, 2 could not answer).
// What the answers must be comes from the Kubernetes RBAC documentation
// (kubernetes.io/docs/reference/access-authn-authz/rbac/):
// - "A RoleBinding grants permissions within a specific namespace" and "A RoleBinding may also
//   reference a ClusterRole to grant the permissions defined in that ClusterRole to resources
//   inside the RoleBinding's namespace" (#rolebinding-and-clusterrolebinding): a ClusterRole's rule
//   on nodes (cluster-scoped) bound by a RoleBinding grants nothing;
// - service accounts are in the groups system:serviceaccounts and
//   system:serviceaccounts:<namespace> (#referring-to-subjects, "Default roles and role bindings");
// - "Permissions are purely additive (there are no "deny" rules)" (#role-and-clusterrole): with a
//   binding kind not read, a no is unknown and a yes stands.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { captureIO } from '../../helpers/cli.ts';

/** A name a hostile manifest may carry: a newline, a terminal escape (clear screen) and an OSC 8 hyperlink. */
const HOSTILE = 'evil\n\u001b[2J\u001b]8;;https://attacker.example\u0007binding';

const RBAC = `
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
metadata: {name: ${JSON.stringify(HOSTILE)}, namespace: shop}
subjects: [{kind: ServiceAccount, name: api, namespace: shop}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secret-reader}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: node-reader}
rules: [{apiGroups: [""], resources: [nodes], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: nodes-in-shop, namespace: shop}
subjects: [{kind: ServiceAccount, name: api, namespace: shop}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-reader}
`;

/** A ClusterRoleBinding List with one flow map left unclosed: the document does not parse, so ClusterRoleBindings and ClusterRoles are not read. */
const CUT_CRBS = 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: rbac.authorization.k8s.io/v1\n  kind: ClusterRoleBinding\n  metadata: {name: x}\n  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\n  subjects:\n  - {kind: User, name: eve\n';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function source(cut = false): string {
  const dir = mkdtempSync(join(tmpdir(), 'zt-can-json-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'm'));
  writeFileSync(join(dir, 'm/rbac.yaml'), RBAC);
  if (cut) writeFileSync(join(dir, 'm/crbs.yaml'), CUT_CRBS);
  return dir;
}

async function can(dir: string, ...args: string[]) {
  const t = captureIO(dir);
  const code = await main(['can', ...args, '--manifests', 'm'], t.cli);
  return { code, out: t.out(), err: t.err() };
}

interface Grant { via: string; scope: string; binding: { kind: string; namespace?: string; name: string }; role: { kind: string; namespace?: string; name: string }; rule: string; notes?: string[] }

describe('ztaudit can -o json', () => {
  it('a yes: allowed true, complete, the question as the request carries it, the grant that allows it; exit 0', async () => {
    const r = await can(source(), 'ServiceAccount:shop/api', 'get', 'secrets', '-n', 'shop', '--name', 'db', '-o', 'json');
    expect(r.code, r.err).toBe(0);
    const body = JSON.parse(r.out) as { subject: string; groups: string[]; question: unknown; allowed: boolean | null; complete: boolean; unread: unknown[]; grants: Grant[] };
    expect(body.subject).toBe('ServiceAccount:shop/api');
    expect(body.groups).toEqual(expect.arrayContaining(['system:serviceaccounts', 'system:serviceaccounts:shop']));
    expect(body.question).toEqual({ verb: 'get', resource: 'secrets', namespace: 'shop', name: 'db' });
    expect(body.allowed).toBe(true);
    expect(body.complete).toBe(true);
    expect(body.unread).toEqual([]);
    expect(body.grants).toHaveLength(1);
    // The hostile name is data: JSON carries it exactly (escaped by JSON itself).
    expect(body.grants[0]).toMatchObject({ via: 'ServiceAccount:shop/api', scope: 'shop', binding: { kind: 'RoleBinding', namespace: 'shop', name: HOSTILE }, role: { kind: 'Role', namespace: 'shop', name: 'secret-reader' } });
    expect(body.grants[0]!.rule).toMatch(/secrets/);
    expect(r.out).not.toContain('\u001b');
  });

  it('a no: allowed false, no grants; exit 1 (a ClusterRole\'s nodes rule bound by a RoleBinding grants nothing)', async () => {
    const r = await can(source(), 'ServiceAccount:shop/api', 'get', 'nodes', '-n', 'shop', '-o', 'json');
    expect(r.code, r.err).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ allowed: false, complete: true, unread: [], grants: [], question: { verb: 'get', resource: 'nodes' } });
    expect((JSON.parse(r.out) as { question: object }).question).not.toHaveProperty('namespace');
  });

  it('ClusterRoleBindings not read: a no is unknown (allowed null, complete false, exit 2, on stdout); a yes stands (exit 0)', async () => {
    const dir = source(true);
    const no = await can(dir, 'User:eve', 'delete', 'nodes', '-o', 'json');
    expect(no.code).toBe(2);
    const body = JSON.parse(no.out) as { allowed: boolean | null; complete: boolean; unread: Array<{ kind: string; status: string }> };
    expect(body.allowed).toBeNull();
    expect(body.complete).toBe(false);
    expect(body.unread.map((u) => [u.kind, u.status])).toEqual([['clusterrolebindings', 'error'], ['clusterroles', 'error']]);
    const yes = await can(dir, 'ServiceAccount:shop/api', 'get', 'secrets', '-n', 'shop', '-o', 'json');
    expect(yes.code).toBe(0);
    expect(JSON.parse(yes.out)).toMatchObject({ allowed: true, complete: false });
  });

  it('the rule list: cluster-wide and per-namespace rules, each grant with what it does not grant there; exit 0, exit 2 when partial', async () => {
    const r = await can(source(), 'ServiceAccount:shop/api', '-o', 'json');
    expect(r.code, r.err).toBe(0);
    const body = JSON.parse(r.out) as { complete: boolean; cluster: Grant[]; namespaces: Array<{ namespace: string; rules: Grant[] }>; breadth: number };
    expect(body.complete).toBe(true);
    expect(body.namespaces.map((n) => n.namespace)).toEqual(['shop']);
    const nodes = body.namespaces[0]!.rules.find((g) => g.role.name === 'node-reader');
    expect(nodes).toMatchObject({ via: 'ServiceAccount:shop/api', scope: 'shop', binding: { kind: 'RoleBinding', name: 'nodes-in-shop' }, notes: ['not granted: cluster-scoped'] });
    expect(body.namespaces[0]!.rules.find((g) => g.role.name === 'secret-reader')).not.toHaveProperty('notes');
    expect(typeof body.breadth).toBe('number');
    const inShop = await can(source(), 'ServiceAccount:shop/api', '-n', 'shop', '-o', 'json');
    expect(JSON.parse(inShop.out)).toMatchObject({ namespace: 'shop', namespaces: [{ namespace: 'shop' }] });
    expect(JSON.parse(inShop.out)).not.toHaveProperty('breadth');
    const partial = await can(source(true), 'ServiceAccount:shop/api', '-o', 'json');
    expect(partial.code).toBe(2);
    expect(JSON.parse(partial.out)).toMatchObject({ complete: false });
  });

  it('-o yaml is refused in one line naming the option; exit 2', async () => {
    const r = await can(source(), 'ServiceAccount:shop/api', '-o', 'yaml');
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')[0]).toMatch(/-o, --output <format>.*yaml/);
    expect(r.out).toBe('');
  });
});

describe('ztaudit can (text): a hostile binding name stays on its line, its escapes shown, not run', () => {
  it('in the answer and in the rule list', async () => {
    for (const args of [['get', 'secrets', '-n', 'shop'], ['-n', 'shop']]) {
      const r = await can(source(), 'ServiceAccount:shop/api', ...args);
      expect(r.code, r.err).toBe(0);
      expect(r.out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
      const line = r.out.split('\n').find((l) => l.includes('evil'));
      expect(line).toBeDefined();
      expect(line).toContain('binding');
      expect(line).toContain('Role shop/secret-reader');
    }
    // The rule list still marks what a RoleBinding cannot grant.
    const list = await can(source(), 'ServiceAccount:shop/api', '-n', 'shop');
    expect(list.out).toMatch(/nodes.* \[not granted: cluster-scoped\] +ServiceAccount:shop\/api +RoleBinding shop\/nodes-in-shop/);
  });
});

/**
 * Namespace names that are also properties every plain JavaScript object inherits: `constructor`
 * is a valid namespace name (a DNS label), and manifests are not validated, so `__proto__` and
 * `toString` reach the rule list too.
 */
const PROTOTYPE_NAMESPACES = ['constructor', '__proto__', 'toString'].map((ns) => `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: view, namespace: ${JSON.stringify(ns)}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: User, name: nina, apiGroup: rbac.authorization.k8s.io}]
`).join('---');

describe('ztaudit can: namespaces named like object properties (constructor, __proto__, toString)', () => {
  function prototypeSource(): string {
    const dir = mkdtempSync(join(tmpdir(), 'zt-can-proto-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'm'));
    writeFileSync(join(dir, 'm/rbac.yaml'), PROTOTYPE_NAMESPACES);
    return dir;
  }

  it('the rule list names each such namespace with its RoleBinding (it crashed: "target.push is not a function")', async () => {
    const r = await can(prototypeSource(), 'User:nina', '-o', 'json');
    expect(r.code, r.err).toBe(0);
    const body = JSON.parse(r.out) as { namespaces: Array<{ namespace: string; rules: Grant[] }> };
    expect(body.namespaces.map((n) => n.namespace)).toEqual(['__proto__', 'constructor', 'toString']);
    for (const n of body.namespaces) expect(n.rules.every((g) => g.binding.namespace === n.namespace && g.role.name === 'view')).toBe(true);
    const text = await can(prototypeSource(), 'User:nina');
    expect(text.code, text.err).toBe(0);
    expect(text.out).toContain('Namespace constructor (RoleBindings)');
  });

  it('-n hasOwnProperty for a subject no RoleBinding names: no namespace rules, not a crash', async () => {
    const r = await can(prototypeSource(), 'User:nobody', '-n', 'hasOwnProperty', '-o', 'json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ namespace: 'hasOwnProperty', namespaces: [] });
  });
});
