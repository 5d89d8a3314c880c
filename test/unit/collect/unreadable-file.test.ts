// A file below --manifests that cannot be read at all (a symlink to nothing, no permission) may
// hold any object, a ClusterRoleBinding granting cluster-admin as well as a Deployment: like a
// document whose kind cannot be told, no kind counts as read. `kubectl apply -f DIR` applies
// every manifest file below DIR (kubernetes.io/docs/reference/kubectl/generated/kubectl_apply,
// -f: "The files that contain the configurations to apply"; -R for subdirectories), so what the
// file holds is part of what would run in the cluster, and an audit blind to it vouches for
// nothing. (An EACCES file is read the same way; tests run as root here, who reads it, so
// /proc/self/mem stands in: a file whose read fails for anyone.) And when every kind is blind
// for that one cause, the run says it once, not once per kind.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { partialOf } from '../../../src/engine/audit.ts';
import { main } from '../../../src/cli/main.ts';
import { KINDS } from '../../../src/snapshot/kinds.ts';
import { captureIO } from '../../helpers/cli.ts';

/** A privileged pod: a critical finding when pods are read. */
const POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: root, namespace: shop}\nspec:\n  containers:\n  - name: c\n    image: busybox@sha256:0000000000000000000000000000000000000000000000000000000000000000\n    securityContext: {privileged: true}\n';
const NAMESPACE = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n';

function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'zt-unread-'));
  mkdirSync(join(d, 'm'));
  writeFileSync(join(d, 'm/ns.yaml'), NAMESPACE);
  writeFileSync(join(d, 'm/pod.yaml'), POD);
  return d;
}

describe('a --manifests file that cannot be read', () => {
  it('a symlink to nothing blinds every kind, named in each kind\'s coverage', () => {
    const d = dir();
    symlinkSync('../gone/rbac.yaml', join(d, 'm/rbac.yaml'));
    const snapshot = loadManifests([join(d, 'm')], { cwd: d });
    for (const k of KINDS) expect(snapshot.coverage[k.key], k.key).toMatchObject({ status: 'error', detail: expect.stringMatching(/^m\/rbac\.yaml: symlink to nothing \(ENOENT\) \(its kind could not be told, so no kind counts as read\)$/) });
    // Its objects stay loaded (for reach and who-can).
    expect(snapshot.resources.pods).toHaveLength(1);
  });

  it('a file whose read fails (EIO) does the same: it may hold the ClusterRoleBinding', () => {
    const d = dir();
    symlinkSync('/proc/self/mem', join(d, 'm/crbs.yaml')); // a regular file whose read fails, even as root
    const snapshot = loadManifests([join(d, 'm')], { cwd: d });
    expect(snapshot.coverage.clusterrolebindings).toMatchObject({ status: 'error', detail: expect.stringMatching(/^m\/crbs\.yaml: file that cannot be read \(EIO\)/) });
    expect(snapshot.coverage.pods?.status).toBe('error');
  });

  // kubectl opens every file of a manifest extension below DIR, whatever its type (kubernetes/cli-runtime
  // v0.36.3 pkg/resource/visitor.go ExpandPathsToFileVisitors: only directories are told apart), and
  // applies what it reads; ztaudit never opens one (opening a named pipe waits for a writer).
  it('a named pipe (FIFO) with a manifest name is named in a warning and blinds every kind, without being opened', () => {
    const d = dir();
    execFileSync('mkfifo', [join(d, 'm/rbac.yaml')]);
    execFileSync('mkfifo', [join(d, 'm/notes.txt')]); // not a manifest name: kubectl skips it too
    const snapshot = loadManifests([join(d, 'm')], { cwd: d });
    expect(snapshot.notes.filter((n) => n.includes('named pipe') || n.includes('notes.txt'))).toEqual(['m/rbac.yaml: skipped a named pipe (FIFO), which ztaudit does not open (kubectl apply -f would read from it whatever it is sent)']);
    expect(snapshot.coverage.clusterrolebindings).toMatchObject({ status: 'error', detail: expect.stringMatching(/^m\/rbac\.yaml: named pipe \(FIFO\)/) });
    expect(snapshot.resources.pods).toHaveLength(1);
  });

  it('one partial line says every kind and the cause, not one per kind', () => {
    const d = dir();
    symlinkSync('../gone/rbac.yaml', join(d, 'm/rbac.yaml'));
    expect(partialOf(loadManifests([join(d, 'm')], { cwd: d })).partial).toEqual(['every kind could not be read (error: m/rbac.yaml: symlink to nothing (ENOENT) (its kind could not be told, so no kind counts as read))']);
  });

  it('kinds unread for different causes keep a line each', () => {
    const d = dir();
    const snapshot = loadManifests([join(d, 'm')], { cwd: d });
    snapshot.coverage.pods = { status: 'forbidden', detail: 'list pods' };
    snapshot.coverage.roles = { status: 'error', detail: 'timeout' };
    expect(partialOf(snapshot).partial).toEqual(['pods could not be read (forbidden: list pods)', 'roles could not be read (error: timeout)']);
  });

  it('run --fail-on critical exits 1 naming the file; no area graded; report.json keeps every kind\'s coverage', async () => {
    const d = dir();
    symlinkSync('../gone/rbac.yaml', join(d, 'm/rbac.yaml'));
    const t = captureIO(d);
    const code = await main(['run', '--manifests', 'm', '--out', 'out', '--history', 'none', '--no-notify', '-q', '--format', 'json', '--fail-on', 'critical'], t.cli);
    expect(code).toBe(1);
    expect(t.err()).toMatch(/exit 1: \d+ checks not evaluated \(every kind error: m\/rbac\.yaml: symlink to nothing/);
    const report = JSON.parse(readFileSync(join(d, 'out/report.json'), 'utf8')) as { run: { coverage: Record<string, { status: string }>; partial: string[] }; score: { areas: Record<string, number | null> } };
    expect(report.run.partial).toEqual([expect.stringMatching(/^every kind could not be read \(error: m\/rbac\.yaml: symlink to nothing/)]);
    expect(Object.keys(report.run.coverage)).toHaveLength(KINDS.length);
    expect(Object.values(report.run.coverage).every((c) => c.status === 'error')).toBe(true);
  });
});
