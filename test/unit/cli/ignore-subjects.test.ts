// rbac.ignoreSubjects never hides the subjects that stand for everyone: a grant to
// system:anonymous or system:unauthenticated is what CIS GKE Benchmark 4.1.8/4.1.9 ("Avoid
// bindings to system:anonymous", "Avoid non-default bindings to system:unauthenticated") and
// CIS Kubernetes 5.1.1 ask to find. Naming one is a config error; a pattern that would match one
// leaves it judged, and says how far it reaches, as a waiver with "*" does.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { captureIO } from '../../helpers/cli.ts';

const ANON_ADMIN = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: anon-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: system:unauthenticated}
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: system:anonymous}
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "platform:ops"}
`;

function dirWith(config: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'zt-ignore-'));
  mkdirSync(join(dir, 'm'));
  writeFileSync(join(dir, 'm/ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n');
  writeFileSync(join(dir, 'm/rbac.yaml'), ANON_ADMIN);
  writeFileSync(join(dir, 'ztaudit.yaml'), config);
  return dir;
}

const ARGS = ['run', '--manifests', 'm', '--out', 'out', '--history', 'none', '--no-notify', '-q', '--format', 'json', '--fail-on', 'critical'];
const logged = (err: string) => err.split('\n').filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { msg: string }).msg);

interface Report {
  findings: Array<{ check: string; resource: { kind: string; name: string }; severity: string }>;
  checks: Array<{ id: string; status: string }>;
}
const reportOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')) as Report;

describe('rbac.ignoreSubjects and the subjects that stand for everyone', () => {
  it('an entry naming system:anonymous or system:unauthenticated is an exit-2 error naming the key and index', async () => {
    const dir = dirWith('rbac:\n  ignoreSubjects: [{kind: Group, name: "system:unauthenticated"}, {kind: Group, name: "platform:ops"}, {kind: User, name: "system:anonymous"}]\n');
    const t = captureIO(dir);
    expect(await main(ARGS, t.cli)).toBe(2);
    expect(t.errLines()).toEqual([
      'ztaudit: ztaudit.yaml: rbac.ignoreSubjects[0]: Group system:unauthenticated stands for everyone of its kind and cannot be ignored: a grant to it is a finding (remove the entry, or waive one finding with a waiver)',
      'ztaudit: ztaudit.yaml: rbac.ignoreSubjects[2]: User system:anonymous stands for everyone of its kind and cannot be ignored: a grant to it is a finding (remove the entry, or waive one finding with a waiver)',
    ]);
  });

  it('"system:*" and "*" patterns leave anonymous cluster-admin reported (critical, exit 1) and warn how far they reach', async () => {
    const dir = dirWith('rbac:\n  ignoreSubjects: [{kind: Group, name: "system:*"}, {kind: User, name: "system:*"}, {kind: Group, name: "*"}]\n');
    const t = captureIO(dir);
    expect(await main(ARGS, t.cli)).toBe(1);
    expect(logged(t.err())).toEqual(expect.arrayContaining([
      'ztaudit.yaml: rbac.ignoreSubjects[0].name: "system:*" matches every Group whose name starts with "system:", a new one too, and none of them is reported; name them (still judged: system:unauthenticated, system:authenticated, system:serviceaccounts)',
      'ztaudit.yaml: rbac.ignoreSubjects[1].name: "system:*" matches every User whose name starts with "system:", a new one too, and none of them is reported; name them (still judged: system:anonymous)',
      'ztaudit.yaml: rbac.ignoreSubjects[2].name: "*" matches every Group, a new one too, and none of them is reported; name them (still judged: system:unauthenticated, system:authenticated, system:serviceaccounts)',
    ]));
    const anonymous = reportOf(dir).findings.filter((f) => f.check === 'rbac.anonymous-access').map((f) => `${f.resource.kind} ${f.resource.name} ${f.severity}`);
    expect(anonymous.sort()).toEqual(['Group system:unauthenticated critical', 'User system:anonymous critical']);
    // The pattern still leaves out what it names that does not stand for everyone.
    expect(reportOf(dir).findings.filter((f) => f.resource.name === 'platform:ops')).toEqual([]);
  });

  it('the report lists the ignored subjects that hold grants: report.json details.rbac.ignored and the HTML Exceptions register', async () => {
    const dir = dirWith('rbac:\n  ignoreSubjects: [{kind: Group, name: "platform:*"}, {kind: Group, name: "nobody-bound"}]\n');
    // A name from the cluster is hostile text: escaped in the HTML.
    writeFileSync(join(dir, 'm/hostile.yaml'), 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: view-all}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects:\n- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "platform:<img src=x onerror=alert(1)>"}\n');
    const t = captureIO(dir);
    expect(await main([...ARGS.slice(0, -4), '--format', 'json,html', ...ARGS.slice(-2)], t.cli)).toBe(1);
    const report = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')) as { details: { rbac: { ignored?: unknown } } };
    expect(report.details.rbac.ignored).toEqual([
      { subject: { kind: 'Group', name: 'platform:<img src=x onerror=alert(1)>' }, bindings: [{ binding: { kind: 'ClusterRoleBinding', name: 'view-all' }, role: { kind: 'ClusterRole', name: 'view' } }] },
      { subject: { kind: 'Group', name: 'platform:ops' }, bindings: [{ binding: { kind: 'ClusterRoleBinding', name: 'anon-admin' }, role: { kind: 'ClusterRole', name: 'cluster-admin' } }] },
    ]);
    const html = readFileSync(join(dir, 'out/report.html'), 'utf8');
    const register = html.slice(html.indexOf('<section id="exceptions">'), html.indexOf('</section>', html.indexOf('<section id="exceptions">')));
    const text = register.replace(/<wbr>/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('Subjects left out by rbac.ignoreSubjects');
    expect(text).toContain('Group platform:ops ClusterRoleBinding anon-admin → ClusterRole cluster-admin');
    expect(register).not.toContain('<img');
    expect(text).toContain('Group platform:&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; ClusterRoleBinding view-all → ClusterRole view');
    // With no pattern or name matching a subject that holds grants, the register says nothing of it.
    const none = dirWith('rbac:\n  ignoreSubjects: [{kind: Group, name: "nobody-bound"}]\n');
    expect(await main([...ARGS.slice(0, -4), '--format', 'json,html', ...ARGS.slice(-2)], captureIO(none).cli)).toBe(1);
    expect(readFileSync(join(none, 'out/report.html'), 'utf8')).not.toContain('Subjects left out by rbac.ignoreSubjects');
    expect((JSON.parse(readFileSync(join(none, 'out/report.json'), 'utf8')) as { details: { rbac: Record<string, unknown> } }).details.rbac).not.toHaveProperty('ignored');
  });

  it('a name without a pattern gives no warning', async () => {
    const dir = dirWith('rbac:\n  ignoreSubjects: [{kind: Group, name: "platform:ops"}]\n');
    const t = captureIO(dir);
    expect(await main(ARGS, t.cli)).toBe(1);
    expect(logged(t.err()).filter((m) => m.includes('ignoreSubjects'))).toEqual([]);
  });
});
