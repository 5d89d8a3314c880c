// The soak: `ztaudit serve` audits the real kube-apiserver every two seconds, 50 scheduled
// runs, as a least-privilege ServiceAccount through a proxy, while faults are injected at
// random — kube-apiserver frozen for 1-3 s, 429s on random lists (some long enough that a
// kind cannot be read and the run is partial), the SMTP server down — and regressions are
// injected between runs (a new ServiceAccount bound to cluster-admin), and fixed once
// alerted. At the end:
//   - zero lost runs: every run that started was stored (or failed with an alert);
//   - zero false "resolved": every resolved finding was really removed;
//   - every injected regression was alerted on Slack exactly once;
// and the counts are printed. The seed is printed too (ZTAUDIT_SOAK_SEED repeats a soak).
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { expect, it } from 'vitest';
import { rng } from '../../bench/prng.ts';
import type { CliIO } from '../../src/cli/io.ts';
import { startServe } from '../../src/cli/serve.ts';
import { auditorClusterRoleRules } from '../../src/collect/rbac-rules.ts';
import { openRunStore } from '../../src/history/store.ts';
import type { Finding, RunReport } from '../../src/run/types.ts';
import { startFakeSlack } from '../unit/notify/slack-server.ts';
import { Admin, describeCluster, pauseApiserver, scratchDir, tokenKubeconfig, uniqueName } from './env.ts';
import { startRecordingProxy } from './recording-proxy.ts';
import { regressionAlertCount } from './slack-alerts.ts';

const RUNS = 50;
/** The last runs get no new faults or regressions, so everything injected is seen by a full run. */
const QUIET_TAIL = 6;

describeCluster('soak: 50 scheduled runs in serve under random faults', (cluster) => {
  it('loses no run, resolves nothing falsely and alerts every injected regression exactly once', async () => {
    const seed = Number(process.env.ZTAUDIT_SOAK_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const random = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const admin = new Admin(cluster);
    const ns = uniqueName('soak');
    const dir = scratchDir('soak');
    await admin.namespace(ns);
    const token = await admin.clusterRoleAccount(ns, 'auditor', `${ns}-auditor`, auditorClusterRoleRules());
    const proxy = await startRecordingProxy(cluster);
    const kubeconfig = tokenKubeconfig(proxy.server, cluster.caPem, token, 'soak');
    const slack = await startFakeSlack();

    // An SMTP server that can be taken down and brought back on the same port.
    let mails = 0;
    const newSmtp = () => new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false, onData(stream, _s, cb) { stream.resume(); stream.on('end', () => { mails++; cb(); }); } });
    let smtp: SMTPServer | null = newSmtp();
    await new Promise<void>((r) => smtp!.listen(0, '127.0.0.1', r));
    const smtpPort = (smtp.server.address() as AddressInfo).port;
    const smtpDown = async () => { const s = smtp; smtp = null; if (s) await new Promise<void>((r) => s.close(() => r())); };
    const smtpUp = async () => { if (smtp) return; const s = newSmtp(); await new Promise<void>((r) => s.listen(smtpPort, '127.0.0.1', r)); smtp = s; };

    // Every run notifies (so an SMTP outage costs emails); a regression alert is the message
    // whose "why this is a regression" names the new binding.
    writeFileSync(join(dir, 'ztaudit.yaml'), 'notify: {policy: always, deadlineSeconds: 10}\n');
    const events: Array<Record<string, unknown>> = [];
    const io: CliIO = {
      stdout: () => {}, isTTY: false, cwd: dir,
      stderr: (t) => { for (const line of t.split('\n')) if (line.startsWith('{')) events.push(JSON.parse(line) as Record<string, unknown>); },
      env: {
        ZTAUDIT_SLACK_TOKEN: 'xoxb-soak', ZTAUDIT_SLACK_CHANNEL: 'C0SOAK', ZTAUDIT_SLACK_API_URL: slack.apiUrl,
        ZTAUDIT_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, ZTAUDIT_EMAIL_TO: 'sec@example.test',
      },
    };
    const started = () => events.filter((e) => e.event === 'run-start').length;
    const settled = () => events.filter((e) => e.event === 'run-finished' || e.event === 'run-failed').length;

    const injected = new Map<string, { at: number; fixedAt?: number }>(); // reg-N -> when bound / unbound
    const faults = { pauses: 0, pausedMs: 0, throttles: 0, kindBlackouts: 0, smtpOutages: 0 };
    // Exactly this regression's reason line (a substring would count reg-10's alert for reg-1).
    const alertsFor = (name: string) => regressionAlertCount(slack.calls, `new critical finding: rbac.cluster-admin-binding on ServiceAccount ${ns}/${name}`);

    const t0 = Date.now();
    const daemon = await startServe(['--kubeconfig', kubeconfig, '--schedule', '*/2 * * * * *', '--port', '0', '--history', 'h.db', '--out', 'out',
      '--config', 'ztaudit.yaml', '--format', 'json', '--request-timeout', '2', '--retry-budget', '4', '--shutdown-grace', '30'], io);
    let stopFaults = false;
    const busy = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const chaos = (async () => {
      let n = 0;
      for (let step = 0; !stopFaults; step++) {
        await busy(1_500 + random() * 2_500);
        if (stopFaults || started() >= RUNS - QUIET_TAIL) break;
        // The first fault is always a regression: a soak that injected none proves nothing
        // about alerts (seed 1182516968 drew none in a 112 s soak).
        const what = step === 0 ? 1 : random();
        if (what < 0.25) {
          const ms = 1_000 + Math.floor(random() * 2_000);
          faults.pauses++;
          faults.pausedMs += ms;
          await pauseApiserver(cluster, ms);
        } else if (what < 0.45) {
          // A few 429s on one list: retried with Retry-After, the run stays whole.
          const kind = pick(['pods', 'namespaces', 'networkpolicies', 'clusterroles', 'rolebindings', 'deployments']);
          faults.throttles++;
          proxy.inject({ match: new RegExp(`/${kind}\\?limit=`), times: 1 + Math.floor(random() * 3), status: 429, headers: { 'Retry-After': '1' } });
        } else if (what < 0.6) {
          // 429s for longer than the retry budget: that kind cannot be read, the run is partial.
          const kind = pick(['clusterrolebindings', 'rolebindings', 'pods', 'networkpolicies']);
          faults.kindBlackouts++;
          proxy.inject({ match: new RegExp(`/${kind}\\?limit=`), times: 8, status: 429, headers: { 'Retry-After': '1' } });
        } else if (what < 0.75) {
          faults.smtpOutages++;
          await smtpDown();
          await busy(2_000 + random() * 6_000);
          await smtpUp();
        } else {
          // A regression: a new ServiceAccount bound to cluster-admin...
          const name = `reg-${n++}`;
          await admin.createAll([
            { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } },
            {
              apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `${ns}-${name}` },
              roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
              subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
            },
          ], 1);
          injected.set(name, { at: Date.now() });
        }
        // ...and one already alerted is fixed now and then (its findings must then resolve).
        for (const [name, r] of injected) {
          if (r.fixedAt === undefined && alertsFor(name) > 0 && random() < 0.3) {
            expect((await admin.request('DELETE', `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${ns}-${name}`)).status).toBe(200);
            r.fixedAt = Date.now();
            break;
          }
        }
      }
    })();

    try {
      while (started() < RUNS) await busy(200);
      stopFaults = true;
      await chaos;
      await smtpUp();
    } finally {
      stopFaults = true;
      await daemon.stop(); // lets the 50th run finish
    }
    const wallS = (Date.now() - t0) / 1000;

    // What the history holds, and what each run's diff said.
    const store = await openRunStore(join(dir, 'h.db'), { readOnly: true });
    const stored: RunReport[] = [];
    for await (const r of store.runsNewestFirst()) stored.push(r);
    await store.close();
    stored.reverse();
    const runStarts = events.filter((e) => e.event === 'run-start').length;
    const finished = events.filter((e) => e.event === 'run-finished').map((e) => String(e.runId));
    const failed = events.filter((e) => e.event === 'run-failed').length;
    const cannotRunAlerts = slack.calls.filter((c) => c.path === '/api/chat.postMessage' && String(c.fields.text ?? '').includes('audit could not run')).length;
    const storedIds = new Set(stored.map((r) => r.run.id));
    const lost = runStarts - finished.filter((id) => storedIds.has(id)).length - Math.min(failed, cannotRunAlerts);

    // Every finding ever seen, by fingerprint; resolved ones must be on a binding really removed.
    const byFp = new Map<string, Finding>();
    for (const r of stored) for (const f of r.findings) byFp.set(f.fingerprint, f);
    const removed = new Set([...injected].filter(([, r]) => r.fixedAt !== undefined).map(([name]) => name));
    const onRemoved = (f: Finding | undefined) => f !== undefined && f.resource.kind === 'ServiceAccount' && f.resource.namespace === ns && removed.has(f.resource.name);
    const onInjected = (f: Finding | undefined) => f !== undefined && f.resource.kind === 'ServiceAccount' && f.resource.namespace === ns && injected.has(f.resource.name);
    let resolved = 0;
    let falseResolved = 0;
    let newFindings = 0;
    let unexpectedNew = 0;
    for (const r of stored) {
      for (const fp of r.diff?.resolved ?? []) { resolved++; if (!onRemoved(byFp.get(fp))) falseResolved++; }
      for (const fp of r.diff?.new ?? []) { newFindings++; if (!onInjected(byFp.get(fp))) unexpectedNew++; }
    }
    const alerts = [...injected.keys()].map((name) => [name, alertsFor(name)] as const);
    // The history's side of it: in how many stored runs the diff called the regression new.
    const newIn = (name: string) => stored.filter((r) => (r.diff?.new ?? []).some((fp) => {
      const f = byFp.get(fp);
      return f?.check === 'rbac.cluster-admin-binding' && f.resource.kind === 'ServiceAccount' && f.resource.namespace === ns && f.resource.name === name;
    })).length;
    const newRuns = [...injected.keys()].map((name) => [name, newIn(name)] as const);
    const partialRuns = stored.filter((r) => (r.run.partial?.length ?? 0) > 0).length;
    const withOlderBaseline = stored.filter((r) => r.diff?.olderBaselines !== undefined).length;
    // (The history stores a run before it notifies; the outcomes are in the log and report.json.)
    const emailsFailed = events.filter((e) => String(e.msg).startsWith('email notification failed')).length;

    const lines = [
      `soak seed ${seed}: ${runStarts} runs started in ${wallS.toFixed(0)} s (${finished.length} stored, ${failed} could not run, ${cannotRunAlerts} "could not run" alerts), ${lost} lost`,
      ...events.filter((e) => e.event === 'run-failed').map((e) => `  could not run: ${String(e.msg)}`),
      `faults: ${faults.pauses} kube-apiserver pauses (${(faults.pausedMs / 1000).toFixed(1)} s frozen), ${faults.throttles} 429 bursts, ${faults.kindBlackouts} kinds unreadable for a run, ${faults.smtpOutages} SMTP outages (${emailsFailed} runs with a failed email, ${mails} emails delivered)`,
      `partial runs ${partialRuns}; runs compared in part with an older run ${withOlderBaseline}`,
      `regressions injected ${injected.size}, fixed ${removed.size}; Slack alerts per regression: ${alerts.map(([n, c]) => `${n}=${c}`).join(' ') || 'none'}; runs that found it new: ${newRuns.map(([n, c]) => `${n}=${c}`).join(' ') || 'none'}`,
      `new findings ${newFindings} (${unexpectedNew} not injected); resolved ${resolved} (${falseResolved} false)`,
    ];
    process.stderr.write(`${lines.join('\n')}\n`);

    expect(runStarts).toBeGreaterThanOrEqual(RUNS);
    expect(lost, lines.join('\n')).toBe(0);
    expect(finished.every((id) => storedIds.has(id))).toBe(true);
    expect(falseResolved, lines.join('\n')).toBe(0);
    expect(unexpectedNew, lines.join('\n')).toBe(0);
    expect(injected.size).toBeGreaterThan(0);
    for (const [name, count] of alerts) expect(count, `${name}: ${lines.join('\n')}`).toBe(1);
    for (const [name, count] of newRuns) expect(count, `${name} new in: ${lines.join('\n')}`).toBe(1);
    await slack.close();
    await smtpDown();
    await proxy.close();
  }, 900_000);
});
