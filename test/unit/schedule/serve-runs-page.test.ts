// serve's /runs/ID over a real SQLite history (docs/deploy.md, "/runs/RUN_ID: a stored run's
// HTML report as `ztaudit report RUN_ID` renders it"). A stored run that cannot be read (its
// report damaged) answers a page, or JSON when asked for it, that names the run and the store's
// one-line reason (a SQLite report damaged, a k8s:// ConfigMap gone), as `ztaudit history` lists it UNREADABLE; the other runs are served as usual.
// And a run `ztaudit history forget --cluster NAME` removed (another process, the daemon still
// running) is no longer served from the daemon's page cache.
import { mkdtempSync, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { startServe } from '../../../src/cli/serve.ts';
import { openRunStore } from '../../../src/history/store.ts';
import { REPO } from '../../helm/helm.ts';
import { captureIO } from '../../helpers/cli.ts';
import { startCoreApiServer } from '../history/core-api-server.ts';

const work = mkdtempSync(join(tmpdir(), 'ztaudit-serve-runs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const quietIO = (): CliIO => ({ stdout: () => {}, stderr: () => {}, env: {}, isTTY: false, cwd: work });

async function storedIds(history: string): Promise<{ ids: string[]; cluster: string }> {
  const store = await openRunStore(history, { readOnly: true });
  try {
    const runs = await store.list(10);
    return { ids: runs.map((r) => r.id), cluster: runs[0]?.cluster ?? '' };
  } finally {
    await store.close();
  }
}

describe('serve /runs/ID over a SQLite history', () => {
  it('a stored run whose report cannot be read answers a page and JSON naming the run and why; the others still render', async () => {
    const history = join(work, 'damaged.db');
    const d = await startServe(['--manifests', join(REPO, 'examples', 'demo-cluster'), '--config', join(REPO, 'examples', 'ztaudit.demo.yaml'), '--no-notify',
      '--history', history, '--out', join(work, 'damaged'), '--schedule', '0 2 * * *', '--port', '0', '--host', '127.0.0.1'], quietIO());
    try {
      await d.idle();
      for (let i = 0; i < 2; i++) expect(await d.tick('manual')).toBe('ran');
      const { ids: [, middle, oldest] } = await storedIds(history);
      const raw = new DatabaseSync(history);
      raw.prepare('UPDATE runs SET report = ? WHERE id = ?').run(Buffer.from('{"not gzip'), oldest!);
      raw.close();

      const page = await fetch(`${d.url}/runs/${oldest}`);
      expect(page.status).toBe(500);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await page.text();
      expect(html).toContain(`Stored run ${oldest} cannot be read`);
      expect(html).toContain(`stored run ${oldest} in ${history} is unreadable: `);
      expect(html).not.toContain('internal error');

      const asJson = await fetch(`${d.url}/runs/${oldest}`, { headers: { Accept: 'application/json' } });
      expect(asJson.status).toBe(500);
      const body = await asJson.json() as { error: string; run: string; reason: string };
      expect(body.error).toBe('unreadable');
      expect(body.run).toBe(oldest);
      expect(body.reason).toMatch(new RegExp(`^stored run ${oldest} in .* is unreadable: [^\\n]+$`));

      // The others are served as usual.
      const fine = await fetch(`${d.url}/runs/${middle}`);
      expect(fine.status).toBe(200);
      expect(await fine.text()).toContain(middle);
    } finally {
      await d.stop();
    }
  }, 60_000);

  it('k8s://: a stored run one of whose ConfigMaps is gone answers a page naming the run and the missing object', async () => {
    const api = await startCoreApiServer();
    const d = await startServe(['--manifests', join(REPO, 'examples', 'demo-cluster'), '--config', join(REPO, 'examples', 'ztaudit.demo.yaml'), '--no-notify',
      '--history', 'k8s://ztaudit/zpages', '--out', join(work, 'k8s'), '--schedule', '0 2 * * *', '--port', '0', '--host', '127.0.0.1'],
    { ...quietIO(), env: { KUBECONFIG: api.kubeconfig } });
    try {
      await d.idle();
      expect(await d.tick('manual')).toBe('ran');
      const index = JSON.parse(api.fake.objects.get('ztaudit/zpages')!.data!['index.json']!) as { runs: Array<{ id: string; objects: string[] }> };
      const older = index.runs[0]!;
      api.fake.objects.delete(`ztaudit/${older.objects[0]}`);
      const page = await fetch(`${d.url}/runs/${older.id}`);
      expect(page.status).toBe(500);
      const html = await page.text();
      expect(html).toContain(`Stored run ${older.id} cannot be read`);
      expect(html).toContain(`k8s://ztaudit/zpages: run ${older.id} is unreadable: its object ${older.objects[0]} is gone`);
    } finally {
      await d.stop();
      await api.close();
    }
  }, 60_000);

  it('a run `history forget` removed while serve runs is no longer served, though its page was cached', async () => {
    const history = join(work, 'forget.db');
    const d = await startServe(['--manifests', join(REPO, 'examples', 'demo-cluster'), '--config', join(REPO, 'examples', 'ztaudit.demo.yaml'), '--no-notify',
      '--history', history, '--out', join(work, 'forget'), '--schedule', '0 2 * * *', '--port', '0', '--host', '127.0.0.1'], quietIO());
    try {
      await d.idle();
      expect(await d.tick('manual')).toBe('ran');
      const { ids: [, older], cluster } = await storedIds(history);
      const before = await fetch(`${d.url}/runs/${older}`);
      expect(before.status).toBe(200);
      await before.text(); // rendered once: now in the daemon's page cache

      const io = captureIO(work);
      expect(await main(['history', 'forget', '--cluster', cluster, '--history', history, '--yes'], io.cli)).toBe(0);
      expect((await storedIds(history)).ids).toEqual([]);

      const after = await fetch(`${d.url}/runs/${older}`);
      expect(after.status).toBe(404);
      expect(await after.text()).toBe('no such run in the history store\n');
    } finally {
      await d.stop();
    }
  }, 60_000);
});
