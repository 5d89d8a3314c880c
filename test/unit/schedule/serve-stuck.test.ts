// `ztaudit serve` whose run never ends (an API server that never answers a list): after
// STUCK_AFTER_SKIPS scheduled ticks skipped in a row it sends the "audit could not run" alert
// saying the audit is stuck, once, where before every later tick was only logged as skipped.
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { startServe } from '../../../src/cli/serve.ts';
import { STUCK_AFTER_SKIPS } from '../../../src/schedule/daemon.ts';
import { startFakeSlack } from '../notify/slack-server.ts';
import { kubeconfigFor } from '../../helpers/local-api-server.ts';

const work = mkdtempSync(join(tmpdir(), 'ztaudit-serve-stuck-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('serve: a run that does not end', () => {
  it(`alerts once on the configured channels that the audit is stuck after ${STUCK_AFTER_SKIPS} skipped ticks`, async () => {
    // Every list answers at once but clusterrolebindings', which is never answered: the start-up run stays in progress.
    const held: http.ServerResponse[] = [];
    const api = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const json = (body: unknown) => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(body)); };
      if (url.pathname === '/version') return json({ gitVersion: 'v1.33.0' });
      if (url.pathname === '/apis') return json({ kind: 'APIGroupList', groups: [] });
      if (url.pathname.endsWith('/clusterrolebindings')) { held.push(res); return; }
      return json({ kind: 'List', metadata: {}, items: [] });
    });
    const slack = await startFakeSlack();
    const err: string[] = [];
    const io: CliIO = { stdout: () => {}, stderr: (t) => { err.push(t); }, env: { ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_CHANNEL: 'C0ALERTS', ZTAUDIT_SLACK_API_URL: slack.apiUrl }, isTTY: false, cwd: work };
    const kubeconfig = await kubeconfigFor(api);
    const d = await startServe(['--kubeconfig', kubeconfig, '--request-timeout', '3600', '--schedule', '0 2 * * *', '--history', 'none', '--out', join(work, 'out'), '--port', '0', '--shutdown-grace', '0'], io);
    try {
      while (held.length === 0) await new Promise((r) => setTimeout(r, 20));
      const posts = () => slack.calls.filter((c) => c.path.endsWith('chat.postMessage'));
      for (let i = 1; i < STUCK_AFTER_SKIPS; i++) expect(await d.tick()).toBe('skipped');
      expect(posts()).toHaveLength(0);
      expect(await d.tick()).toBe('skipped');
      while (posts().length === 0) await new Promise((r) => setTimeout(r, 20));
      expect(String(posts()[0]!.fields.text)).toMatch(/^ztaudit: audit could not run.*: audit stuck: the start-up run started at \S+ is still auditing after 2 scheduled runs were skipped for it/);
      // Once per stuck run, not once per tick.
      expect(await d.tick()).toBe('skipped');
      expect(err.filter((l) => l.includes('"event":"run-stuck"'))).toHaveLength(1);
      expect(posts()).toHaveLength(1);
    } finally {
      await d.stop();
      for (const res of held) res.destroy();
      api.close();
      await slack.close();
    }
  });
});
