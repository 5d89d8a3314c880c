// A ConfigMap value written `key:` or `key: null` in YAML reaches the API server as JSON null. The
// real kube-apiserver stores a null it is sent as "" — with and without fieldValidation=Strict —
// and refuses a number; but `kubectl apply` creates the object without a null key, and its patch's
// null deletes the key on update. ztaudit's manifest reader reads the files as `kubectl apply -f`
// leaves them: neither refusing the ConfigMap nor keeping the key.
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { loadManifests } from '../../src/collect/manifests.ts';
import { Admin, describeCluster, kubectl, scratchDir, uniqueName } from './env.ts';

describeCluster('ConfigMap values that are null', (cluster) => {
  const admin = new Admin(cluster);
  const ns = uniqueName('cm-null');

  it('the API server stores a null data or binaryData value it is sent as "", kubectl apply creates no such key, and ztaudit reads the manifest as kubectl apply leaves it', async () => {
    await admin.namespace(ns);
    const stored: Array<{ data: unknown; binaryData: unknown }> = [];
    for (const [name, query] of [['lenient', ''], ['strict', '?fieldValidation=Strict']] as const) {
      const r = await admin.request('POST', `/api/v1/namespaces/${ns}/configmaps${query}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { hsts: 'false', extra: null, gone: null }, binaryData: { blob: null } });
      expect(r.status).toBe(201);
      const got = await admin.request('GET', `/api/v1/namespaces/${ns}/configmaps/${name}`);
      stored.push({ data: got.body.data, binaryData: got.body.binaryData });
    }
    expect(stored).toEqual([{ data: { hsts: 'false', extra: '', gone: '' }, binaryData: { blob: '' } }, { data: { hsts: 'false', extra: '', gone: '' }, binaryData: { blob: '' } }]);
    // A value of another type is refused, as ztaudit refuses it.
    const number = await admin.request('POST', `/api/v1/namespaces/${ns}/configmaps?fieldValidation=Strict`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'number' }, data: { hsts: 5 } });
    expect(number.status).toBe(400);

    const dir = scratchDir('cm-null');
    fs.writeFileSync(path.join(dir, 'cm.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: strict, namespace: ${ns}}\ndata:\n  hsts: "false"\n  extra:\n  gone: null\nbinaryData:\n  blob:\n`);
    const snapshot = loadManifests([dir], { cwd: dir });
    expect(snapshot.notes.filter((n) => n.includes('skipped'))).toEqual([]);
    // Real kubectl apply of that file: the null keys are not created.
    expect(kubectl(cluster, 'apply', '-f', path.join(dir, 'cm.yaml')).status).toBe(0);
    const applied = JSON.parse(kubectl(cluster, 'get', 'configmap', 'strict', '-n', ns, '-o', 'json').stdout);
    expect(snapshot.resources.configmaps?.map((c) => ({ data: c.data, binaryData: (c as { binaryData?: unknown }).binaryData ?? {} }))).toEqual([{ data: applied.data, binaryData: applied.binaryData ?? {} }]);
    expect(applied.data).toEqual({ hsts: 'false' });
  });

  it('kubectl apply -f of a directory whose later copy writes hsts: null leaves no hsts key, as ztaudit reads it', async () => {
    await admin.namespace(ns);
    const dir = scratchDir('cm-null-dir');
    const cm = (data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: later, namespace: ${ns}}\ndata: ${data}\n`;
    fs.writeFileSync(path.join(dir, 'a.yaml'), cm('{hsts: "false", keep: "1"}'));
    fs.writeFileSync(path.join(dir, 'b.yaml'), cm('{hsts: null, keep: "1", fresh: null}'));
    const r = kubectl(cluster, 'apply', '-f', dir);
    expect(r.status, r.stderr).toBe(0);
    const got = kubectl(cluster, 'get', 'configmap', 'later', '-n', ns, '-o', 'jsonpath={.data}');
    const snapshot = loadManifests([dir], { cwd: dir });
    expect(snapshot.resources.configmaps?.map((c) => c.data)).toEqual([JSON.parse(got.stdout)]);
    expect(JSON.parse(got.stdout)).toEqual({ keep: '1' });
  });
});
