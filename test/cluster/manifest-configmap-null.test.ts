// A ConfigMap value written `key:` or `key: null` in YAML reaches the API server as JSON null
// (kubectl converts YAML to JSON before it sends it). The real kube-apiserver stores it as "" —
// with and without fieldValidation=Strict, which `kubectl apply` sends by default — and refuses a
// number: ztaudit's manifest reader must read the file as the server stores it, neither refusing
// the ConfigMap nor dropping the key.
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { loadManifests } from '../../src/collect/manifests.ts';
import { Admin, describeCluster, scratchDir, uniqueName } from './env.ts';

describeCluster('ConfigMap values that are null', (cluster) => {
  const admin = new Admin(cluster);
  const ns = uniqueName('cm-null');

  it('the API server stores a null data or binaryData value as "", and ztaudit reads the manifest so', async () => {
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
    expect(snapshot.resources.configmaps?.map((c) => ({ data: c.data, binaryData: (c as { binaryData?: unknown }).binaryData }))).toEqual([stored[1]]);
  });
});
