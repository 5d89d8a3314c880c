// Reliability against the real kube-apiserver: it is restarted in the middle of a paginated
// collection (the run retries and completes; with a budget shorter than the restart, the run
// is partial and says which kinds could not be read); a permission is revoked and restored
// between runs (the run after the partial one reports what appeared meanwhile as new and as a
// regression, once); credentials in the kubeconfig server URL appear in no output; progress
// is logged once per line and never after a run was abandoned.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.ts';
import type { CliIO } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';
import { loadSource } from '../../src/cli/source.ts';
import { collectLive } from '../../src/collect/live.ts';
import { auditorClusterRoleRules } from '../../src/collect/rbac-rules.ts';
import { defaultConfig } from '../../src/config/types.ts';
import { auditSnapshot } from '../../src/engine/audit.ts';
import { checkCoverage, gradeFor } from '../../src/engine/score.ts';
import { openRunStore } from '../../src/history/store.ts';
import type { RunReport } from '../../src/run/types.ts';
import { KINDS, type KindKey } from '../../src/snapshot/kinds.ts';
import { startFakeSlack, type FakeSlack } from '../unit/notify/slack-server.ts';
import { Admin, LISTED_KEYS, apiRequest, describeCluster, restartApiserver, scratchDir, tokenKubeconfig, uniqueName } from './env.ts';

/** A page after the first of the cluster-wide ServiceAccounts list. */
const SERVICE_ACCOUNTS_PAGE = /^\/api\/v1\/serviceaccounts\?.*&continue=/;
const BUILTIN_LISTED = KINDS.filter((k) => k.builtin && !('byNameOnly' in k && k.byNameOnly)).map((k) => k.key as KindKey);

describeCluster('reliability against a real kube-apiserver', (cluster) => {
  const admin = new Admin(cluster);
  const ns = uniqueName('rel');
  const MANY = 1500;

  beforeAll(async () => {
    await admin.namespaceWithServiceAccounts(ns, MANY, 16);
  }, 300_000);

  describe('kube-apiserver restarted in the middle of a paginated collection', () => {
    it('retries refused and reset connections with backoff and completes the snapshot, every object once', async () => {
      let restart: Promise<{ downMs: number }> | null = null;
      const t0 = Date.now();
      const snapshot = await collectLive({
        kubeconfigPath: cluster.kubeconfigPath,
        // Small pages: the ServiceAccounts take hundreds of requests, so the kill lands inside them.
        pageSize: 5,
        // The default budget (30 s) covers a restart of a few seconds; a loaded CI machine
        // may take longer to bring kube-apiserver back, so this test allows more.
        retryBudgetMs: 120_000,
        // Killed, 2 s with nothing listening (refused), then starting up again: once the
        // ServiceAccounts' second page is asked for (a long list's running count is said at most
        // every 2 s, so no longer marks each page).
        onRequest: (_method, path) => {
          if (SERVICE_ACCOUNTS_PAGE.test(path) && !restart) restart = restartApiserver(cluster, 2_000);
        },
      });
      expect(restart).not.toBeNull();
      const { downMs } = await restart!;
      expect(downMs).toBeGreaterThan(0);
      for (const key of BUILTIN_LISTED) expect(snapshot.coverage[key]?.status, `${key}: ${snapshot.coverage[key]?.detail ?? ''}`).toBe('ok');
      const mine = (snapshot.resources.serviceaccounts ?? []).filter((o) => o.metadata?.namespace === ns).map((o) => o.metadata?.name);
      expect(mine).toHaveLength(MANY + 1); // + default
      expect(new Set(mine).size).toBe(MANY + 1);
      expect(snapshot.notes.some((n) => /: succeeded after \d+ retr/.test(n))).toBe(true);
      process.stderr.write(`restart mid-collection: kube-apiserver down ${(downMs / 1000).toFixed(1)} s; collection took ${((Date.now() - t0) / 1000).toFixed(1)} s and completed\n`);
    });

    it('with a retry budget shorter than the restart: the kinds that still fail make the run partial, never empty-and-passed', async () => {
      let restart: Promise<{ downMs: number }> | null = null;
      let listedOne = false;
      const snapshot = await collectLive({
        kubeconfigPath: cluster.kubeconfigPath,
        pageSize: 5,
        retryBudgetMs: 300,
        retryBaseDelayMs: 100,
        // Nothing listens for 3 s: every request then is refused, far beyond the 0.3 s budget.
        // The kill waits for one kind to be complete: were every kind still in flight (a
        // loaded machine), none could be listed, and that run is refused outright (a
        // ClusterError), not partial.
        onProgress: (_kind, _n, done) => {
          if (done?.status === 'ok') listedOne = true;
        },
        onRequest: (_method, path) => {
          if (SERVICE_ACCOUNTS_PAGE.test(path) && listedOne && !restart) restart = restartApiserver(cluster, 3_000);
        },
      });
      expect(restart).not.toBeNull();
      await restart!;
      const failed = LISTED_KEYS.filter((k) => snapshot.coverage[k as KindKey]?.status === 'error') as KindKey[];
      expect(failed.length).toBeGreaterThan(0);
      for (const k of failed) {
        // (A CRD kind may instead fail at discovery, with a 503 while the server comes back up.)
        expect(snapshot.coverage[k]?.detail).toMatch(/failed: (connection refused|connection reset|socket hang up|reading the response failed)|^discovery of \S+ failed: /);
        expect(snapshot.resources[k]).toEqual([]);
      }
      const { report } = auditSnapshot({ snapshot, config: defaultConfig(), checks: CHECKS, now: new Date(), startedAt: new Date(), runId: 'partial-restart' });
      for (const k of failed) expect(report.run.partial).toContainEqual(expect.stringMatching(new RegExp(`^${k.replace('.', '\\.')} could not be read \\(error: `)));
      // Every check that needs a failed kind is not evaluated; its area gets no grade.
      for (const check of CHECKS.filter((c) => c.needs.some((n) => failed.includes(n)))) {
        const c = report.checks.find((x) => x.id === check.id)!;
        expect(['not-evaluated', 'not-applicable'], check.id).toContain(c.status);
        if (c.status === 'not-evaluated') expect(gradeFor(report.score.areas[c.area], checkCoverage(report.checks, c.area))).toBe('n/a');
      }
    });
  });

  describe('a permission revoked and restored between runs', () => {
    const dir = scratchDir('revoke');
    let slack: FakeSlack;
    let smtp: SMTPServer;
    const mails: ParsedMail[] = [];
    let kubeconfigPath = '';
    const role = `${ns}-auditor`;

    beforeAll(async () => {
      slack = await startFakeSlack();
      smtp = new SMTPServer({
        authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
        onData(stream, _s, cb) { simpleParser(stream).then((m) => { mails.push(m); cb(); }, cb); },
      });
      await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
      kubeconfigPath = tokenKubeconfig(cluster.server, cluster.caPem, await admin.clusterRoleAccount(ns, 'auditor', role, auditorClusterRoleRules()), 'rel-auditor');
      writeFileSync(join(dir, 'ztaudit.yaml'), 'notify: {policy: always, deadlineSeconds: 20}\n');
      return async () => {
        await slack.close();
        await new Promise<void>((r) => smtp.close(() => r()));
      };
    });

    async function setRules(rules: unknown, canListBindings: boolean): Promise<void> {
      const current = (await admin.request('GET', `/apis/rbac.authorization.k8s.io/v1/clusterroles/${role}`)).body;
      current.rules = rules;
      expect((await admin.request('PUT', `/apis/rbac.authorization.k8s.io/v1/clusterroles/${role}`, current)).status).toBe(200);
      const token = /token: (\S+)/.exec(readFileSync(kubeconfigPath, 'utf8'))![1]!;
      // The authorizer sees the change through its watch: wait until it does.
      for (const t0 = Date.now(); Date.now() - t0 < 30_000;) {
        const r = await apiRequest(cluster, token, 'GET', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings?limit=1');
        if ((r.status === 200) === canListBindings) return;
        await new Promise((res) => setTimeout(res, 100));
      }
      throw new Error('the RBAC change did not take effect');
    }

    async function run(label: string): Promise<{ report: RunReport; stdout: string; slackText: string; mailText: string }> {
      const out: string[] = [];
      const io: CliIO = {
        stdout: (t) => out.push(t), stderr: () => {}, isTTY: false, cwd: dir,
        env: {
          ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_CHANNEL: 'C0SEC', ZTAUDIT_SLACK_API_URL: slack.apiUrl,
          ZTAUDIT_SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`, ZTAUDIT_EMAIL_TO: 'sec@example.test',
        },
      };
      const mailsBefore = mails.length;
      const postsBefore = slack.calls.filter((c) => c.path === '/api/chat.postMessage').length;
      const code = await main(['run', '--kubeconfig', kubeconfigPath, '--history', 'h.db', '--out', label, '--format', 'json,html,md', '--config', 'ztaudit.yaml'], io);
      expect(code).toBe(0);
      const report = JSON.parse(readFileSync(join(dir, label, 'report.json'), 'utf8')) as RunReport;
      const posts = slack.calls.filter((c) => c.path === '/api/chat.postMessage').slice(postsBefore);
      return {
        report, stdout: out.join(''),
        slackText: posts.map((p) => `${String(p.fields.text)} ${JSON.stringify(p.fields.blocks)}`).join('\n'),
        mailText: mails.slice(mailsBefore).map((m) => `${m.subject}\n${m.text ?? ''}\n${String(m.html)}`).join('\n'),
      };
    }

    it('the findings on a binding made while bindings could not be read are new, and a regression, in the next full run — once', async () => {
      const r1 = await run('run1');
      expect(r1.report.run.partial ?? []).toEqual([]);
      expect(r1.report.checks.find((c) => c.id === 'rbac.cluster-admin-binding')?.status).toMatch(/^(pass|fail)$/);

      // The auditor loses the right to list bindings (a 403), and meanwhile someone binds a
      // ServiceAccount to cluster-admin.
      await setRules(auditorClusterRoleRules({ omitKinds: ['rolebindings', 'clusterrolebindings'] }), false);
      await admin.createAll([
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'backdoor', namespace: ns } },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `${ns}-backdoor` },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
          subjects: [{ kind: 'ServiceAccount', name: 'backdoor', namespace: ns }],
        },
      ], 1);
      const r2 = await run('run2');
      expect(r2.report.run.partial).toEqual(expect.arrayContaining([
        expect.stringMatching(/^rolebindings could not be read \(forbidden: /),
        expect.stringMatching(/^clusterrolebindings could not be read \(forbidden: /),
      ]));
      expect(r2.report.checks.find((c) => c.id === 'rbac.cluster-admin-binding')?.status).toBe('not-evaluated');
      expect(r2.report.diff?.new.filter((fp) => r2.report.findings.find((f) => f.fingerprint === fp)?.resource.name === 'backdoor')).toEqual([]);
      // Said in the terminal table, the HTML, Slack and email; no grade for RBAC.
      expect(r2.stdout).toMatch(/^partial: clusterrolebindings could not be read \(forbidden: /m);
      expect(r2.stdout).toMatch(/^rbac\s+\S+\s+n\/a\s+/m);
      expect(readFileSync(join(dir, 'run2', 'report.html'), 'utf8')).toContain('Partial run:');
      expect(readFileSync(join(dir, 'run2', 'report.md'), 'utf8')).toContain('> **partial:** clusterrolebindings could not be read');
      expect(r2.slackText).toContain('partial: clusterrolebindings could not be read');
      expect(r2.mailText).toContain('partial: clusterrolebindings could not be read');

      // Restored: run 3 compares the RBAC checks with run 1, the last run that evaluated them.
      await setRules(auditorClusterRoleRules(), true);
      const r3 = await run('run3');
      expect(r3.report.run.partial ?? []).toEqual([]);
      const onBackdoor = r3.report.findings.filter((f) => f.resource.kind === 'ServiceAccount' && f.resource.namespace === ns && f.resource.name === 'backdoor' && !f.waived);
      expect(onBackdoor.some((f) => f.check === 'rbac.cluster-admin-binding' && f.severity === 'critical')).toBe(true);
      for (const f of onBackdoor) expect(r3.report.diff?.new, `${f.check} is new`).toContain(f.fingerprint);
      expect(r3.report.diff?.regression).toBe(true);
      expect(r3.report.diff?.regressionReasons).toContain(`new critical finding: rbac.cluster-admin-binding on ServiceAccount ${ns}/backdoor`);
      expect(r3.report.diff?.olderBaselines?.['rbac.cluster-admin-binding']).toBe(r1.report.run.id);
      expect(r3.slackText).toContain('backdoor');
      expect(r3.mailText).toContain('backdoor');
      process.stderr.write(`revoke/restore: run 3 reports ${onBackdoor.length} finding(s) on the backdoor binding as new (${onBackdoor.map((f) => `${f.severity} ${f.check}`).join(', ')})\n`);

      // Alerted once: run 4 finds them persisting, not new.
      const r4 = await run('run4');
      for (const f of onBackdoor) expect(r4.report.diff?.new).not.toContain(f.fingerprint);
      expect(r4.report.diff?.regressionReasons.some((r) => r.includes('backdoor'))).toBe(false);
    });
  });

  describe('credentials in the kubeconfig server URL', () => {
    const SECRET = 's3cr3t-Pa55';
    const withUserinfo = (server: string) => server.replace('https://', `https://alice:${SECRET}@`);

    it('appear in no report (json, html, md, sarif, junit), history entry, history object, message or alert', async () => {
      const dir = scratchDir('userinfo');
      const slack = await startFakeSlack();
      try {
        const kcText = readFileSync(cluster.kubeconfigPath, 'utf8').replace(cluster.server, withUserinfo(cluster.server));
        writeFileSync(join(dir, 'kc'), kcText, { mode: 0o600 });
        const out: string[] = [];
        const io: CliIO = { stdout: (t) => out.push(t), stderr: (t) => out.push(t), isTTY: false, cwd: dir, env: { ZTAUDIT_SLACK_TOKEN: 'x', ZTAUDIT_SLACK_CHANNEL: 'C', ZTAUDIT_SLACK_API_URL: slack.apiUrl } };
        writeFileSync(join(dir, 'ztaudit.yaml'), 'notify: {policy: always}\n');
        const hist = `k8s://${ns}/userinfo-history`;
        expect(await main(['run', '--kubeconfig', 'kc', '--config', 'ztaudit.yaml', '--history', hist, '--out', 'out', '--format', 'json,html,md,sarif,junit'], io)).toBe(0);
        const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')) as RunReport;
        expect(report.run.cluster.server).toBe(cluster.server);
        // An unreachable server with credentials in its URL: the one-line error and the alert.
        const closed = withUserinfo(cluster.server).replace(/:(\d+)$/, ':1');
        writeFileSync(join(dir, 'kc-down'), kcText.replace(withUserinfo(cluster.server), closed), { mode: 0o600 });
        expect(await main(['run', '--kubeconfig', 'kc-down', '--config', 'ztaudit.yaml', '--history', 'none', '--out', 'out-down', '--request-timeout', '2', '--retry-budget', '1'], io)).toBe(2);
        expect(out.join('')).toContain('cannot reach API server at https://127.0.0.1:1');

        const store = await openRunStore(hist, { kubeconfigPath: join(dir, 'kc'), readOnly: true });
        const stored = JSON.stringify(await store.get(report.run.id));
        await store.close();
        const configMaps = JSON.stringify((await admin.request('GET', `/api/v1/namespaces/${ns}/configmaps`)).body);
        const files = readdirSync(join(dir, 'out')).map((f) => readFileSync(join(dir, 'out', f), 'utf8'));
        const slackText = slack.calls.map((c) => `${c.raw.toString('utf8')}\n${JSON.stringify(c.fields)}`).join('\n');
        for (const [where, text] of [['reports', files.join('\n')], ['history', stored], ['history objects', configMaps], ['stdout/stderr', out.join('')], ['slack', slackText]] as const) {
          expect(text.includes(SECRET), where).toBe(false);
          expect(text.includes('alice:'), where).toBe(false);
        }
        expect(slackText).toContain('audit could not run');
      } finally {
        await slack.close();
      }
    });
  });

  describe('progress', () => {
    it('is logged once per line, the count of each kind once when it is done', async () => {
      const lines: Array<[string, number]> = [];
      const log = { info: () => {}, warn: () => {}, progress: (kind: string, count: number) => { lines.push([kind, count]); } };
      const snapshot = await loadSource({ kubeconfig: cluster.kubeconfigPath }, log, {});
      const seen = new Set(lines.map(([k, n]) => `${k}=${n}`));
      expect(seen.size).toBe(lines.length);
      for (const k of BUILTIN_LISTED) {
        const last = lines.filter(([kind]) => kind === k).at(-1);
        expect(last, k).toEqual([k, snapshot.resources[k]?.length ?? 0]);
      }
      // serviceaccounts span several pages of 500: running counts, then the total, each once.
      const sa = lines.filter(([k]) => k === 'serviceaccounts').map(([, n]) => n);
      expect(sa.slice(0, -1)).toEqual(sa.slice(0, -1).map((_, i) => 500 * (i + 1)));
    });

    it('stops when the run is abandoned: no progress line after the abort', async () => {
      const lines: Array<{ kind: string; at: number }> = [];
      const abort = new AbortController();
      let abortedAt = Infinity;
      const log = {
        info: () => {}, warn: () => {},
        progress: (kind: string) => {
          lines.push({ kind, at: performance.now() });
          if (lines.length === 3) { abortedAt = performance.now(); abort.abort(new Error('ztaudit is shutting down')); }
        },
      };
      await expect(loadSource({ kubeconfig: cluster.kubeconfigPath }, log, { signal: abort.signal })).rejects.toThrow();
      await new Promise((r) => setTimeout(r, 1_500)); // requests in flight settle meanwhile
      expect(lines.length).toBeGreaterThanOrEqual(3);
      expect(lines.filter((l) => l.at > abortedAt)).toEqual([]);
    });
  });
});
