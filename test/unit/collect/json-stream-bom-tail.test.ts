// A file of concatenated JSON objects as kubectl reads it: a leading UTF-8 byte order mark is
// dropped (cli-runtime pkg/resource/visitor.go at v0.34.0, FileVisitor.Visit reads through
// unicode.BOMOverride(unicode.UTF8.NewDecoder())), and what follows the JSON objects when it is
// not one is read as YAML after one object but not after two or more: k8s.io/apimachinery
// pkg/util/yaml/decoder.go at v0.34.0, YAMLOrJSONDecoder.Decode ("if we found more than 1 JSON
// object, then this is an unambiguous JSON stream, and we should not switch to YAML" — it returns
// the error, and StreamVisitor.Visit stops with "error parsing FILE").
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifests, parseManifestText } from '../../../src/collect/manifests.ts';
import { main } from '../../../src/cli/main.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { captureIO } from '../../helpers/cli.ts';

const ns = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const ADMIN = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'admin' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'User', name: 'mallory', apiGroup: 'rbac.authorization.k8s.io' }] };
const ADMIN_YAML = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: admin}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: User, name: mallory, apiGroup: rbac.authorization.k8s.io}]\n';

function dirWith(name: string, bytes: Buffer | string): string {
  const dir = mkdtempSync(join(tmpdir(), 'zt-jsonbom-'));
  mkdirSync(join(dir, 'm'));
  writeFileSync(join(dir, 'm', name), bytes);
  return dir;
}

async function runOn(dir: string) {
  const io = captureIO(dir);
  await main(['run', '--manifests', 'm', '--history', 'none', '--no-notify', '-q', '--out', 'out'], io.cli);
  return JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')) as RunReport;
}

describe('a stream of JSON objects after a UTF-8 byte order mark', () => {
  const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
  const stream = `${ns('shop')}\n${JSON.stringify(ADMIN)}\n`;

  it('is read object by object (it was one broken document)', () => {
    const dir = dirWith('objs.json', Buffer.concat([BOM, Buffer.from(stream)]));
    const s = loadManifests([join(dir, 'm')], { cwd: dir });
    expect(s.notes).toEqual([]);
    expect(s.resources.namespaces?.map((o) => o.metadata?.name)).toEqual(['shop']);
    expect(s.resources.clusterrolebindings?.map((o) => o.metadata?.name)).toEqual(['admin']);
    expect(s.coverage.clusterrolebindings).toEqual({ status: 'ok', count: 1 });
  });

  it('its cluster-admin binding fails its check', async () => {
    const report = await runOn(dirWith('objs.json', Buffer.concat([BOM, Buffer.from(stream)])));
    expect(report.findings.filter((f) => f.check === 'rbac.cluster-admin-binding').map((f) => `${f.resource.kind} ${f.resource.name}`)).toEqual(['User mallory']);
    expect(report.run.partial).toBeUndefined();
  });
});

describe('what follows the JSON objects of a stream, when it is not one', () => {
  it('after one JSON object: read as YAML, as kubectl reads it', () => {
    const parsed = parseManifestText(`${ns('shop')}\n---\n${ADMIN_YAML}`, 'mixed.json');
    expect(parsed.notes).toEqual([]);
    expect(parsed.objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(['Namespace/shop', 'ClusterRoleBinding/admin']);
  });

  it('after two: not read, as kubectl does not read it; each document named by file and line, its kind not read', () => {
    const parsed = parseManifestText(`${ns('a')}\n${ns('b')}\n---\n${ADMIN_YAML}`, 'mixed.json');
    expect(parsed.objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(['Namespace/a', 'Namespace/b']);
    const why = 'document after JSON object 2, which kubectl does not read: after two JSON objects a file may hold only JSON objects (kubectl would fail: error parsing the file); put it in a file of its own';
    expect(parsed.notes).toEqual([`mixed.json:4: skipped a ${why}`]);
    expect(parsed.broken).toEqual([{ where: 'mixed.json:4', why, kind: 'clusterrolebindings' }]);
  });

  it('after two, the run does not evaluate the binding\'s checks (they judged what kubectl never applies)', async () => {
    const report = await runOn(dirWith('mixed.json', `${ns('a')}\n${ns('b')}\n---\n${ADMIN_YAML}`));
    expect(report.run.coverage.clusterrolebindings).toMatchObject({ status: 'error', detail: expect.stringMatching(/^m\/mixed\.json:4: document after JSON object 2, which kubectl does not read/) });
    expect(report.checks.find((c) => c.id === 'rbac.cluster-admin-binding')?.status).toBe('not-evaluated');
  });

  it('an object cut short after two is named the same way, with the kind it names', () => {
    const parsed = parseManifestText(`${ns('a')}${ns('b')}\n{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "c"`, 'cut.json');
    expect(parsed.objects.map((o) => o.metadata?.name)).toEqual(['a', 'b']);
    expect(parsed.broken.map((b) => [b.where, b.kind])).toEqual([['cut.json:2', 'namespaces']]);
  });

  it('an object that is not JSON after two (a YAML flow mapping) stops the stream there too', () => {
    const parsed = parseManifestText(`${ns('a')}\n${ns('b')}\n{apiVersion: v1, kind: Namespace, metadata: {name: c}}\n${ns('d')}\n`, 'flow.json');
    expect(parsed.objects.map((o) => o.metadata?.name)).toEqual(['a', 'b']);
    expect(parsed.broken.map((b) => [b.where, b.kind])).toEqual([['flow.json:3', 'namespaces']]);
  });
});
