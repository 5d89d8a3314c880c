// `ztaudit serve` whose run never ends (an API server that never answers a list): after
// STUCK_AFTER_SKIPS scheduled ticks skipped in a row it sends the "audit stuck" alert, once,
// where before every later tick was only logged as skipped; titled as what happened, not as
// "audit could not run" (the run did start, and is still going).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { startServe } from '../../../src/cli/serve.ts';
import { STUCK_AFTER_SKIPS } from '../../../src/schedule/daemon.ts';
import { startFakeSlack } from '../notify/slack-server.ts';
import { kubeconfigFor } from '../../helpers/local-api-server.ts';

const work = mkdtempSync(join(tmpdir(), 'ztaudit-serve-stuck-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('serve: a run that does not end', () => {
  it(`alerts once on the configured channels, Slack and email, under the title "audit stuck", after ${STUCK_AFTER_SKIPS} skipped ticks`, async () => {
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
    const mails: ParsedMail[] = [];
    const smtp = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
      onData(stream, _session, callback) { simpleParser(stream).then((mail) => { mails.push(mail); callback(); }, callback); },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
    const err: string[] = [];
    const io: CliIO = {
      stdout: () => {}, stderr: (t) => { err.push(t); }, isTTY: false, cwd: work,
      env: { ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_CHANNEL: 'C0ALERTS', ZTAUDIT_SLACK_API_URL: slack.apiUrl, ZTAUDIT_SMTP_URL: smtpUrl, ZTAUDIT_EMAIL_TO: 'oncall@acme.example' },
    };
    const kubeconfig = await kubeconfigFor(api);
    const d = await startServe(['--kubeconfig', kubeconfig, '--cluster', 'prod', '--request-timeout', '3600', '--schedule', '0 2 * * *', '--history', 'none', '--out', join(work, 'out'), '--port', '0', '--shutdown-grace', '0'], io);
    try {
      while (held.length === 0) await new Promise((r) => setTimeout(r, 20));
      const posts = () => slack.calls.filter((c) => c.path.endsWith('chat.postMessage'));
      for (let i = 1; i < STUCK_AFTER_SKIPS; i++) expect(await d.tick()).toBe('skipped');
      expect(posts()).toHaveLength(0);
      expect(mails).toHaveLength(0);
      expect(await d.tick()).toBe('skipped');
      while (posts().length === 0 || mails.length === 0) await new Promise((r) => setTimeout(r, 20));
      const why = /the start-up run started at \S+ is still auditing after 2 scheduled runs were skipped for it; no audit completes until it ends \(restart ztaudit serve if it does not\)/;
      // Slack: the header and the notification text name what happened, the reason says which run, once.
      const post = posts()[0]!.fields;
      const blocks = post.blocks as Array<{ type: string; text: { text: string } }>;
      expect(blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'ztaudit: audit stuck: scheduled runs skipped', emoji: false } });
      expect(blocks[1]!.text.text).toMatch(/^:warning: The scheduled audit on `prod` has not ended and the runs scheduled after it were skipped, so there is no new compliance result until it ends\.\n\*Reason\* the start-up run started at /);
      expect(String(post.text)).toMatch(new RegExp(`^ztaudit: audit stuck: scheduled runs skipped on \`prod\`: ${why.source}$`));
      // Email: the subject, the HTML and the text part.
      const mail = mails[0]!;
      expect(mail.subject).toBe('[ztaudit] Audit stuck: scheduled runs skipped on prod');
      expect(mail.text).toMatch(new RegExp(`^The scheduled ztaudit audit on prod has not ended and the runs scheduled after it were skipped, so there is no new compliance result until it ends\\.\\n\\nReason: ${why.source}\\n$`));
      expect(mail.html).toContain('ztaudit · audit stuck: scheduled runs skipped');
      for (const shown of [String(post.text), blocks[0]!.text.text, blocks[1]!.text.text, mail.subject ?? '', mail.text ?? '', String(mail.html)]) expect(shown).not.toMatch(/could not run/i);
      // Once per stuck run, not once per tick; the log line says "audit stuck" and why.
      expect(await d.tick()).toBe('skipped');
      const stuck = err.filter((l) => l.includes('"event":"run-stuck"'));
      expect(stuck).toHaveLength(1);
      expect(String((JSON.parse(stuck[0]!) as { msg: string }).msg)).toMatch(new RegExp(`^audit stuck: ${why.source}$`));
      expect(posts()).toHaveLength(1);
      expect(mails).toHaveLength(1);
    } finally {
      await d.stop();
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      for (const res of held) res.destroy();
      api.close();
      await slack.close();
    }
  });
});
