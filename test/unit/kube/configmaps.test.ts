// The history store's ConfigMap calls through the Kubernetes client against a stand-in API
// server on a loopback port: listing run parts to collect garbage reads their names, never the
// some 700 KiB of data each part holds.
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { openKubeClient } from '../../../src/kube/client.ts';
import { configMapsIn } from '../../../src/kube/configmaps.ts';
import { kubeconfigFor, writeEndlessLine } from '../../helpers/local-api-server.ts';

const PART = 'x'.repeat(700 * 1024);
const part = (i: number) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `hist-r${i}-0`, namespace: 'ztaudit', labels: { 'ztaudit.io/part': 'run' } }, binaryData: { 'run.json.gz.part': PART } });

interface Served { accept: string; bytes: number }

/** Serves `n` run parts, two a page; metadata only when asked for it, unless `ignoreAccept` (a server before 1.15). */
async function standIn(n: number, ignoreAccept: boolean) {
  const served: Served[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const accept = String(req.headers.accept ?? '');
    const from = Number(url.searchParams.get('continue') || 0);
    const items = Array.from({ length: Math.min(2, n - from) }, (_, i) => part(from + i));
    const metadataOnly = !ignoreAccept && accept.split(',')[0] === 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
    const list = metadataOnly
      ? { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: { continue: from + 2 < n ? String(from + 2) : '' }, items: items.map((o) => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata })) }
      : { kind: 'ConfigMapList', apiVersion: 'v1', metadata: { continue: from + 2 < n ? String(from + 2) : '' }, items };
    const body = JSON.stringify(list);
    served.push({ accept, bytes: Buffer.byteLength(body) });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(body);
  });
  return { server, served, kubeconfig: await kubeconfigFor(server) };
}

describe('configMapsIn(...).listNames', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });
  const open = (server: http.Server, kubeconfig: string) => {
    const { client } = openKubeClient({ kubeconfigPath: kubeconfig, env: {}, retries: 0 });
    cleanup.push(async () => {
      client.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    });
    return configMapsIn(client, 'ztaudit');
  };

  it('asks for metadata only, so the parts\' data never crosses the wire', async () => {
    const { server, served, kubeconfig } = await standIn(5, false);
    const names = await open(server, kubeconfig).listNames('ztaudit.io/part=run');
    expect(names).toEqual(['hist-r0-0', 'hist-r1-0', 'hist-r2-0', 'hist-r3-0', 'hist-r4-0']);
    expect(served).toHaveLength(3);
    for (const s of served) {
      expect(s.accept).toBe('application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json');
      expect(s.bytes).toBeLessThan(2048);
    }
  });

  it('reads the names from a server that sends the whole objects anyway', async () => {
    const { server, served, kubeconfig } = await standIn(3, true);
    expect(await open(server, kubeconfig).listNames('ztaudit.io/part=run')).toEqual(['hist-r0-0', 'hist-r1-0', 'hist-r2-0']);
    expect(served.map((s) => s.bytes > 1024 * 1024)).toEqual([true, false]);
  });

  it('refuses an object that never ends and reads no further', async () => {
    let stream: Promise<string> = Promise.resolve('');
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      stream = writeEndlessLine(res, '{"kind":"ConfigMapList","metadata":{},"items":[{"metadata":{"name":"hist-r1-0"},"binaryData":{"run.json.gz.part":"');
    });
    const api = open(server, await kubeconfigFor(server));
    await expect(api.listNames('ztaudit.io/part=run')).rejects.toMatchObject({ code: 'ETOOLARGE', message: 'reading the response failed: an object in the list is longer than 64 MiB, more than any object an API server stores (a broken stream?)' });
    expect(await stream).toBe('hung up');
  });
});
