// The daemon: a real cron schedule (and one on a clock the test moves), no overlapping runs,
// the HTTP endpoints, and a SIGTERM-like stop that finishes or abandons the run in progress
// with the store released.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import type { Logger } from '../../../src/base/log.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { ConfigError, OvertakenError } from '../../../src/base/errors.ts';
import { runPipeline, type PipelineEdges } from '../../../src/pipeline/pipeline.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { startDaemon, type Daemon, type DaemonOptions, type RunOutcome } from '../../../src/schedule/daemon.ts';
import { parseExposition } from './exposition.ts';
import { ManualClock } from './manual-clock.ts';
import { makeReport } from '../history/big-report.ts';
import { writeReportJson } from '../../../src/report/render.ts';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON from the daemon
const body = async (r: Response | Promise<Response>): Promise<Obj> => (await (await r).json()) as Obj;

function captureLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), progress: () => {} };
}

function fakeReport(id: string, overall = 80): RunReport {
  return {
    schemaVersion: 1,
    run: { id, startedAt: new Date().toISOString(), finishedAt: new Date().toISOString(), cluster: { name: 'c' }, source: 'manifests', coverage: {}, toolVersion: '0.1.0', checkCatalogVersion: '1', notes: [] },
    score: { overall, areas: { network: overall, tls: null, rbac: null, 'pod-security': null, mtls: null } },
    checks: [], findings: [], diff: null, waivers: [], details: {}, notifications: [],
  };
}

interface Deferred<T> { promise: Promise<T>; resolve(v: T): void; reject(e: unknown): void }
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void, reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

const daemons: Daemon[] = [];
afterEach(async () => { await Promise.all(daemons.splice(0).map((d) => d.stop())); });

async function start(options: Partial<DaemonOptions> & Pick<DaemonOptions, 'runOnce'>): Promise<Daemon> {
  const d = await startDaemon({ schedule: '0 2 * * *', port: 0, host: '127.0.0.1', log: captureLog(), runAtStart: false, ...options });
  daemons.push(d);
  return d;
}

describe('startDaemon', () => {
  it('refuses a bad cron expression or time zone with a clear error', async () => {
    await expect(startDaemon({ schedule: '0 25 * * *', port: 0, log: captureLog(), runOnce: async () => ({ report: fakeReport('x'), html: null }) }))
      .rejects.toThrow(ConfigError);
    await expect(startDaemon({ schedule: '0 2 * * *', timezone: 'Mars/Olympus', port: 0, log: captureLog(), runOnce: async () => ({ report: fakeReport('x'), html: null }) }))
      .rejects.toThrow(/--timezone Mars\/Olympus/);
  });

  it('reads the schedule in the given time zone', async () => {
    const d = await start({ schedule: '0 2 * * *', timezone: 'Asia/Tokyo', runOnce: async () => ({ report: fakeReport('x'), html: null }) });
    const next = d.nextRun()!;
    expect(next.getUTCHours()).toBe(17); // 02:00 JST = 17:00 UTC the day before
    expect(next.getUTCMinutes()).toBe(0);
  });

  it('runs once at start-up and then on the cron schedule', async () => {
    let runs = 0;
    const log = captureLog();
    const d = await start({ schedule: '* * * * * *', runAtStart: true, log, runOnce: async () => ({ report: fakeReport(`r${++runs}`), html: null }) });
    expect(runs).toBe(1); // the start-up run began before startDaemon returned
    const deadline = Date.now() + 4000;
    while (runs < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(runs).toBeGreaterThanOrEqual(3);
    await d.idle();
    expect(log.lines.some((l) => l.startsWith('info start-up audit run starting'))).toBe(true);
    expect(log.lines.some((l) => l.startsWith('info scheduled audit run starting'))).toBe(true);
  });

  it('skips (and logs) a tick that arrives while a run is in progress, then runs the next one', async () => {
    const gates: Array<Deferred<RunOutcome>> = [];
    const log = captureLog();
    const d = await start({ log, runOnce: () => { const g = deferred<RunOutcome>(); gates.push(g); return g.promise; } });
    const first = d.tick();
    expect(await d.tick()).toBe('skipped');
    expect(await d.tick()).toBe('skipped');
    expect(gates).toHaveLength(1); // runOnce was not called again
    expect(log.lines.filter((l) => /^warn scheduled tick skipped: the run started at .* is still in progress$/.test(l))).toHaveLength(2);
    gates[0]!.resolve({ report: fakeReport('r1'), html: '<p>one</p>' });
    expect(await first).toBe('ran');
    const second = d.tick();
    expect(gates).toHaveLength(2);
    gates[1]!.resolve({ report: fakeReport('r2'), html: '<p>two</p>' });
    expect(await second).toBe('ran');
    const runs = parseExposition(await (await fetch(`${d.url}/metrics`)).text()).get('ztaudit_runs_total')!.samples;
    expect(Object.fromEntries(runs.map((s) => [s.labels.result, s.value]))).toEqual({ success: 2, error: 0, skipped: 2 });
  });

  it('a run a newer stored run of the cluster overtook is skipped, not a failure: serve --watch does not retry it, /metrics counts it skipped', async () => {
    const log = captureLog();
    let calls = 0;
    const d = await start({ log, runOnce: async () => {
      calls++;
      if (calls === 1) throw new OvertakenError('a newer run (r2, started …) of cluster "c" was stored … while run r1 collected: this older run was not stored');
      return { report: fakeReport('r3'), html: null };
    } });
    expect(await d.tick('watch')).toBe('skipped');
    expect(log.lines.some((l) => l.startsWith('info audit run not stored: a newer run (r2'))).toBe(true);
    expect(log.lines.some((l) => l.startsWith('warn audit run could not complete'))).toBe(false);
    expect(await d.tick()).toBe('ran');
    const runs = parseExposition(await (await fetch(`${d.url}/metrics`)).text()).get('ztaudit_runs_total')!.samples;
    expect(Object.fromEntries(runs.map((s) => [s.labels.result, s.value]))).toEqual({ success: 1, error: 0, skipped: 1 });
  });

  it('a scheduled tick that arrives during a watch run is queued and runs right after it; a second one is skipped', async () => {
    const gates: Array<Deferred<RunOutcome>> = [];
    const reasons: string[] = [];
    const log = captureLog();
    const d = await start({ log, runOnce: (_signal, _hooks, reason) => { reasons.push(reason); const g = deferred<RunOutcome>(); gates.push(g); return g.promise; } });
    const watch = d.tick('watch');
    const scheduled = d.tick('scheduled');
    expect(await d.tick('scheduled')).toBe('skipped'); // at most one waits
    expect(reasons).toEqual(['watch']);
    expect(log.lines.filter((l) => /^info scheduled tick queued: the watch run started at .* is in progress; it runs next$/.test(l))).toHaveLength(1);
    expect(log.lines.filter((l) => /^warn scheduled tick skipped: the run started at .* is still in progress$/.test(l))).toHaveLength(1);
    const idle = d.idle();
    gates[0]!.resolve({ report: fakeReport('w1'), html: null });
    expect(await watch).toBe('ran');
    expect(reasons).toEqual(['watch', 'scheduled']); // started as the watch run ended
    expect(d.state().running).toBe(true);
    gates[1]!.resolve({ report: fakeReport('s1'), html: '<p>nightly</p>' });
    expect(await scheduled).toBe('ran');
    await idle; // idle() waited for the queued run too
    expect(d.state().latest?.run.id).toBe('s1');
    // A full run still does not queue behind a full run: skipped, as before.
    const full = d.tick('scheduled');
    expect(await d.tick('scheduled')).toBe('skipped');
    gates[2]!.resolve({ report: fakeReport('s2'), html: null });
    expect(await full).toBe('ran');
    expect(reasons).toEqual(['watch', 'scheduled', 'scheduled']);
  });

  it('streams /report.json as report.json is written (chunked, a piece at a time), the same JSON as the run', async () => {
    const report = makeReport('20261126T020000Z-cccccc', '2026-11-26T02:00:00.000Z', { findings: 5_000 });
    const d = await start({ runOnce: async () => ({ report, html: null }) });
    await d.tick();
    const answer = await new Promise<{ headers: http.IncomingHttpHeaders; text: string }>((resolve, reject) => {
      http.get(`${d.url}/report.json`, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      }).on('error', reject);
    });
    expect(answer.headers['transfer-encoding']).toBe('chunked');
    expect(answer.headers['content-length']).toBeUndefined();
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(JSON.parse(answer.text)).toEqual(report);
    const file = join(mkdtempSync(join(tmpdir(), 'ztaudit-daemon-')), 'report.json');
    await writeReportJson(report, file);
    expect(answer.text).toBe(readFileSync(file, 'utf8')); // byte for byte the report.json a run writes
    rmSync(join(file, '..'), { recursive: true, force: true });
  });

  it('a /report.json reader that goes away mid-answer leaves the daemon serving', async () => {
    const report = makeReport('20261126T020000Z-dddddd', '2026-11-26T02:00:00.000Z', { findings: 20_000 });
    const d = await start({ runOnce: async () => ({ report, html: null }) });
    await d.tick();
    await new Promise<void>((resolve, reject) => {
      const req = http.get(`${d.url}/report.json`, (res) => { res.once('data', () => { req.destroy(); resolve(); }); });
      req.on('error', (e: NodeJS.ErrnoException) => { if (e.code !== 'ECONNRESET') reject(e); });
    });
    expect((await fetch(`${d.url}/healthz`)).status).toBe(200);
    expect((await body(fetch(`${d.url}/report.json`))).findings).toHaveLength(20_000);
  });

  it('serves /healthz, / (latest HTML), /report.json, /runs/:id and /metrics; 404/405 elsewhere', async () => {
    const stored = new Map([['20261125T020000Z-aaaaaa', '<html>stored run</html>']]);
    const gate = deferred<RunOutcome>();
    const d = await start({ runOnce: () => gate.promise, lookupRun: async (id) => stored.get(id) ?? null });

    let r = await fetch(`${d.url}/healthz`);
    expect(r.status).toBe(200);
    expect(await body(r)).toMatchObject({ status: 'ok', running: false, lastRun: null, nextRun: expect.stringMatching(/T02:00:00|T\d\d:00:00/) });
    r = await fetch(`${d.url}/`);
    expect(r.status).toBe(503); // nothing to show yet is not an empty report
    expect(r.headers.get('retry-after')).toBe('30');

    const running = d.tick();
    expect((await body(fetch(`${d.url}/healthz`))).running).toBe(true);
    gate.resolve({ report: fakeReport('20261126T020000Z-bbbbbb', 91), html: '<html>latest</html>' });
    await running;

    r = await fetch(`${d.url}/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await r.text()).toBe('<html>latest</html>');
    r = await fetch(`${d.url}/report.json`);
    expect((await body(r)).run.id).toBe('20261126T020000Z-bbbbbb');
    expect(await (await fetch(`${d.url}/runs/20261126T020000Z-bbbbbb`)).text()).toBe('<html>latest</html>');
    r = await fetch(`${d.url}/runs/20261125T020000Z-aaaaaa`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('<html>stored run</html>');
    expect((await fetch(`${d.url}/runs/20201231T000000Z-ffffff`)).status).toBe(404);
    expect((await fetch(`${d.url}/runs/..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
    r = await fetch(`${d.url}/metrics`);
    expect(r.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const m = parseExposition(await r.text());
    expect(m.get('ztaudit_score')!.samples).toEqual([{ labels: { area: 'network' }, value: 91 }]);
    expect(m.get('ztaudit_last_success_timestamp_seconds')!.samples[0]!.value).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(m.get('ztaudit_run_duration_seconds')!.samples[0]!.value).toBeGreaterThanOrEqual(0);
    expect((await fetch(`${d.url}/nope`)).status).toBe(404);
    expect((await fetch(`${d.url}/metrics`, { method: 'POST' })).status).toBe(405);
    const healthz = await body(fetch(`${d.url}/healthz`));
    expect(healthz.lastRun.id).toBe('20261126T020000Z-bbbbbb');
  });

  describe('/healthz and the bearer token', () => {
    const RUN = '20261126T020000Z-dddddd';
    const FORBIDDEN = 'pods could not be read (HTTP 403: pods is forbidden: User "system:serviceaccount:ztaudit:ztaudit" cannot list resource "pods")';
    function partialReport(): RunReport {
      const report = fakeReport(RUN);
      report.run.partial = [FORBIDDEN];
      report.notifications = [{ channel: 'slack', status: 'failed', detail: 'slack: channel_not_found for #zt-secops' }, { channel: 'email', status: 'sent' }];
      return report;
    }
    const fullBody = (lastSuccess: string, nextRun: string) => ({
      status: 'ok', running: false, currentRun: null,
      lastRun: { id: RUN, finishedAt: expect.any(String), partial: [FORBIDDEN], notifications: [{ channel: 'slack', status: 'failed' }, { channel: 'email', status: 'sent' }] },
      lastSuccess, consecutiveFailures: 0, lastFailure: null, nextRun,
    });

    it('without the token answers 200 with its status and last success only; with it, the full body', async () => {
      const d = await start({ authToken: 'hz-token', runOnce: async () => ({ report: partialReport(), html: '<p>x</p>' }) });
      // Before any run: the same short body, and a 200 (the daemon is alive).
      let r = await fetch(`${d.url}/healthz`);
      expect(r.status).toBe(200);
      expect(await body(r)).toEqual({ status: 'ok', lastSuccess: null, consecutiveFailures: 0, lastFailure: null });
      await d.tick();
      const lastSuccess = d.state().lastSuccessAt!.toISOString();
      for (const headers of [{}, { Authorization: 'Bearer hz-tokem' }, { Authorization: 'hz-token' }, { Authorization: 'Basic aHotdG9rZW4=' }]) {
        r = await fetch(`${d.url}/healthz`, { headers });
        expect(r.status, JSON.stringify(headers)).toBe(200);
        expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
        const text = await r.text();
        expect(JSON.parse(text), JSON.stringify(headers)).toEqual({ status: 'ok', lastSuccess, consecutiveFailures: 0, lastFailure: null });
        for (const secret of [RUN, 'forbidden', 'serviceaccount', 'slack', 'email', 'failed', 'channel_not_found']) expect(text).not.toContain(secret);
      }
      r = await fetch(`${d.url}/healthz`, { method: 'HEAD' });
      expect(r.status).toBe(200);
      r = await fetch(`${d.url}/healthz`, { headers: { Authorization: 'Bearer hz-token' } });
      expect(r.status).toBe(200);
      expect(await body(r)).toEqual(fullBody(lastSuccess, d.nextRun()!.toISOString()));
    });

    // Reviewer's repro (/tmp/rev-revhist/hz): after failed runs /healthz said "ok" with lastRun the
    // last success and nothing of the failures. Still 200 (a liveness probe must not restart a
    // daemon for a cluster it cannot reach), but the body says how many failed since, and the
    // last one's time and error, escaped as JSON.
    it('after failed runs, says how many failed since the last success and the last error (on one line); the token guards the error text', async () => {
      const hostile = 'list pods: "</script>\u0007\nztaudit_up 0" is forbidden';
      let fail = false;
      const d = await start({ authToken: 'hz-token', runOnce: async () => { if (fail) throw new Error(hostile); return { report: partialReport(), html: null }; } });
      await d.tick();
      const lastSuccess = d.state().lastSuccessAt!.toISOString();
      fail = true;
      await d.tick();
      await d.tick();
      const authed = await fetch(`${d.url}/healthz`, { headers: { Authorization: 'Bearer hz-token' } });
      expect(authed.status).toBe(200);
      const text = await authed.text();
      expect(text.trim().split('\n')).toHaveLength(1);
      const b = JSON.parse(text);
      expect({ status: b.status, lastSuccess: b.lastSuccess, lastRun: b.lastRun.id, consecutiveFailures: b.consecutiveFailures }).toEqual({ status: 'ok', lastSuccess, lastRun: RUN, consecutiveFailures: 2 });
      expect(b.lastFailure.error).toBe('list pods: "</script>\\u0007\\u000aztaudit_up 0" is forbidden'); // oneLine: control characters and the line break shown, not kept
      expect(Date.parse(b.lastFailure.at)).toBeGreaterThanOrEqual(Date.parse(lastSuccess));
      const open = await fetch(`${d.url}/healthz`);
      const short = await body(open);
      expect(short).toEqual({ status: 'ok', lastSuccess, consecutiveFailures: 2, lastFailure: { at: b.lastFailure.at } });
      fail = false;
      await d.tick();
      const after = await body(fetch(`${d.url}/healthz`, { headers: { Authorization: 'Bearer hz-token' } }));
      expect(after.consecutiveFailures).toBe(0);
      expect(after.lastFailure).toEqual(b.lastFailure); // still said: what failed last
    });

    it('with no token configured, answers everyone the full body as before', async () => {
      const d = await start({ runOnce: async () => ({ report: partialReport(), html: '<p>x</p>' }) });
      await d.tick();
      const expected = fullBody(d.state().lastSuccessAt!.toISOString(), d.nextRun()!.toISOString());
      for (const headers of [{}, { Authorization: 'Bearer anything' }]) {
        const r = await fetch(`${d.url}/healthz`, { headers });
        expect(r.status).toBe(200);
        expect(await body(r)).toEqual(expected);
      }
    });
  });

  it('/metrics keeps a hostile label value inside its quotes (no forged sample, no split line)', async () => {
    const kind = 'x"} 1\nztaudit_up 0\nztaudit_score{area="network"} 100\n# C:\\new';
    const d = await start({
      runOnce: async () => ({ report: fakeReport('r1', 40), html: null }),
      watchMetrics: () => ({ lagSeconds: 0, events: { [kind]: 7 }, watching: { [kind]: false } }),
    });
    await d.tick();
    const m = parseExposition(await (await fetch(`${d.url}/metrics`)).text());
    expect(m.get('ztaudit_up')!.samples).toEqual([{ labels: {}, value: 1 }]);
    expect(m.get('ztaudit_score')!.samples).toEqual([{ labels: { area: 'network' }, value: 40 }]);
    expect(m.get('ztaudit_watch_events_total')!.samples).toEqual([{ labels: { kind }, value: 7 }]);
    expect(m.get('ztaudit_watch_up')!.samples).toEqual([{ labels: { kind }, value: 0 }]);
  });

  it('closes the connection of a client that stops reading a report, not of one waiting for a slow render', async () => {
    // Larger than what the kernel's socket buffers on both ends take in, so the daemon holds the rest.
    const big = `<html>${'x'.repeat(24 * 2 ** 20)}</html>`;
    const d = await start({
      // A second: a reading client is never idle that long, even on a loaded CI machine.
      stalledClientMs: 1000,
      runOnce: async () => ({ report: fakeReport('20261126T020000Z-bbbbbb'), html: big }),
      lookupRun: async () => { await new Promise((r) => setTimeout(r, 2500)); return '<p>older run</p>'; },
    });
    await d.tick();
    const stalled = net.connect(d.port, '127.0.0.1');
    stalled.on('error', () => {}); // reset by the daemon, with the response unread
    stalled.pause();
    stalled.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await new Promise((r) => setTimeout(r, 3000)); // reads nothing for three times the window
    let received = 0;
    stalled.on('data', (chunk: Buffer) => { received += chunk.length; });
    const closed = new Promise<boolean>((r) => stalled.once('close', () => r(true)));
    stalled.resume();
    const gone = await Promise.race([closed, new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]);
    stalled.destroy();
    expect(gone, 'the daemon closed the stalled connection').toBe(true);
    expect(received).toBeLessThan(big.length); // what the socket buffers held, not the report
    const slow = await fetch(`${d.url}/runs/20261125T020000Z-aaaaaa`);
    expect(slow.status).toBe(200);
    expect(await slow.text()).toBe('<p>older run</p>');
    expect((await (await fetch(`${d.url}/`)).text()).length).toBe(big.length); // a client that reads gets all of it
  });

  it('a request that fails inside the daemon is a 500 with a fixed body; oversized or odd requests are refused; it keeps serving', async () => {
    const log = captureLog();
    const d = await start({
      log,
      runOnce: async () => ({ report: fakeReport('20261126T020000Z-bbbbbb'), html: '<p>latest</p>' }),
      lookupRun: async (id) => { throw new Error(`store unreadable for ${id}`); },
      lookupFleet: async () => { throw new Error('fleet unreadable'); },
    });
    await d.tick();
    for (const path of ['/runs/20261125T020000Z-aaaaaa', '/fleet']) {
      const r = await fetch(`${d.url}${path}`);
      expect(r.status, path).toBe(500);
      expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(await r.text()).toBe('internal error\n'); // the reason is logged, not sent
    }
    expect(log.lines).toContain('warn http GET /runs/20261125T020000Z-aaaaaa: store unreadable for 20261125T020000Z-aaaaaa');
    expect((await fetch(`${d.url}/${'a'.repeat(20_000)}`)).status).toBe(431);
    expect((await fetch(`${d.url}/`, { headers: { 'x-big': 'b'.repeat(20_000) } })).status).toBe(431);
    for (const method of ['PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
      const r = await fetch(`${d.url}/`, { method });
      expect(r.status, method).toBe(405);
      expect(r.headers.get('allow')).toBe('GET, HEAD');
    }
    expect(await (await fetch(`${d.url}/`)).text()).toBe('<p>latest</p>');
  });

  it('without a history store, /runs/:id of an older run is 404', async () => {
    const d = await start({ runOnce: async () => ({ report: fakeReport('20261126T020000Z-cccccc'), html: '<p>x</p>' }) });
    await d.tick();
    expect((await fetch(`${d.url}/runs/20261126T020000Z-cccccc`)).status).toBe(200);
    const r = await fetch(`${d.url}/runs/20261125T020000Z-aaaaaa`);
    expect(r.status).toBe(404);
    expect(await r.text()).toContain('no history store');
  });

  it('counts a failed run as an error, keeps the previous report, and keeps serving', async () => {
    let fail = false;
    const log = captureLog();
    const d = await start({ log, runOnce: async () => { if (fail) throw new Error('cannot reach API server'); return { report: fakeReport('ok-1'), html: '<p>ok</p>' }; } });
    expect(await d.tick()).toBe('ran');
    fail = true;
    expect(await d.tick()).toBe('failed');
    expect(log.lines).toContain('warn audit run could not complete: cannot reach API server');
    expect(await (await fetch(`${d.url}/`)).text()).toBe('<p>ok</p>');
    const runs = parseExposition(await (await fetch(`${d.url}/metrics`)).text()).get('ztaudit_runs_total')!.samples;
    expect(runs.find((s) => s.labels.result === 'error')!.value).toBe(1);
  });

  it("/healthz's next run of '30 4 1,15 * 5' is the coming Friday, as cron(8) and the CronJob run it, not the next 1st that is a Friday", async () => {
    // crontab(5): "'30 4 1,15 * 5' would cause a command to be run at 4:30 am on the 1st and
    // 15th of each month, plus every Friday." Asked on Friday 2026-12-04 after 04:30.
    const clock = new ManualClock('2026-12-04T12:00:00Z');
    const d = await start({ clock, schedule: '30 4 1,15 * 5', timezone: 'UTC', runOnce: async () => ({ report: fakeReport('x'), html: null }) });
    expect((await body(fetch(`${d.url}/healthz`))).nextRun).toBe('2026-12-11T04:30:00.000Z');
    clock.advanceTo('2026-12-11T04:30:01Z');
    await d.idle();
    expect(d.nextRun()?.toISOString()).toBe('2026-12-15T04:30:00.000Z'); // the 15th, a Tuesday
  });

  it('a scheduled slot the daemon wakes to 3 s late still runs; one woken to 20 min late is logged and counted in /metrics', async () => {
    const clock = new ManualClock('2026-05-01T01:59:00Z');
    const log = captureLog();
    let runs = 0;
    const d = await start({ clock, log, timezone: 'UTC', runOnce: async () => ({ report: fakeReport(`r${++runs}`), html: null }) });
    const missedTotal = async () => parseExposition(await (await fetch(`${d.url}/metrics`)).text()).get('ztaudit_scheduled_runs_missed_total')!.samples[0]!.value;
    expect(await missedTotal()).toBe(0);
    clock.advanceTo('2026-05-01T01:59:59.500Z');
    clock.stall(3000); // e.g. a major GC or a long render across 02:00:00
    clock.advanceTo(clock.now());
    await d.idle();
    expect(runs).toBe(1);
    expect(log.lines.some((l) => l.startsWith('warn scheduled run for 2026-05-01T02:00:00.000Z starts 2.5 s late'))).toBe(true);
    clock.advanceTo('2026-05-02T01:59:59Z');
    clock.stall(20 * 60_000 + 1000);
    clock.advanceTo(clock.now());
    await d.idle();
    expect(runs).toBe(1);
    expect(await missedTotal()).toBe(1);
    expect(log.lines).toContain('warn scheduled run for 2026-05-02T02:00:00.000Z missed: the daemon woke 1200 s after it (the process was busy or paused), past the 15 min a run may start late; the next one is at 2026-05-03T02:00:00.000Z');
    expect(d.nextRun()?.toISOString()).toBe('2026-05-03T02:00:00.000Z');
  });

  it('stop() lets a run in progress finish within the grace period, then closes the server', async () => {
    const gate = deferred<RunOutcome>();
    const d = await start({ graceMs: 5000, runOnce: () => gate.promise });
    const run = d.tick();
    let stopped = false;
    const stopping = d.stop().then(() => { stopped = true; });
    expect(await d.tick()).toBe('skipped'); // no new runs once stopping
    await new Promise((r) => setTimeout(r, 100));
    expect(stopped).toBe(false);
    gate.resolve({ report: fakeReport('last'), html: null });
    await stopping;
    expect(await run).toBe('ran');
    expect(d.state().runsTotal.success).toBe(1);
    await expect(fetch(`${d.url}/healthz`)).rejects.toThrow();
  });

  it('stop() abandons a run that outlives the grace period; the pipeline never held the store and stores nothing', async () => {
    const calls: string[] = [];
    const store = {
      describe: () => 'fake store',
      acquire: async () => { calls.push('acquire'); },
      release: async () => { calls.push('release'); },
      async *runsNewestFirst() {},
      save: async () => { calls.push('save'); },
      recordNotifications: async () => { calls.push('recordNotifications'); },
      trend: async () => [],
    };
    const log = captureLog();
    const d = await start({
      graceMs: 100,
      log,
      runOnce: async (signal) => {
        const edges: PipelineEdges = {
          // A collection that only ends when aborted, like a hung list call; serve wires collect the same way.
          collect: () => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })),
          store,
          diff: () => { throw new Error('unused'); },
          render: async () => [],
          notifiers: [],
          log,
          now: () => new Date(),
        };
        const { report } = await runPipeline(defaultConfig(), CHECKS, edges);
        return { report, html: null };
      },
    });
    const run = d.tick();
    await new Promise((r) => setTimeout(r, 20));
    // The store is taken after the audit, when the cluster is known (a shared store locks per cluster).
    expect(calls).toEqual([]);
    await d.stop();
    expect(calls).toEqual([]);
    expect(await run).toBe('failed');
    expect(log.lines).toContain('warn stopping: abandoning the run in progress');
  });

  it('a real pipeline run feeds the metrics (demo-sized snapshot)', async () => {
    const snapshot = snapshotFromObjects([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } },
    ]);
    const log = captureLog();
    const d = await start({
      log,
      runOnce: async () => {
        const { report } = await runPipeline(defaultConfig(), CHECKS, { collect: async () => snapshot, store: null, diff: () => { throw new Error('unused'); }, render: async () => [], notifiers: [], log, now: () => new Date() });
        return { report, html: null };
      },
    });
    await d.tick();
    const m = parseExposition(await (await fetch(`${d.url}/metrics`)).text());
    const open = m.get('ztaudit_findings')!.samples.filter((s) => s.labels.area === 'network').reduce((n, s) => n + s.value, 0);
    expect(open).toBeGreaterThan(0); // an unprotected namespace has network findings
    expect(m.get('ztaudit_score')!.samples.find((s) => s.labels.area === 'network')!.value).toBeLessThan(100);
  });
  // Reviewer's repro (serve against a live cluster, deployments then forbidden to the auditor):
  // run 1 network 0, rbac 95.1, pod-security 20, overall 38.4; run 2, network's checks not
  // evaluated, scored the rest as network 0 → absent, overall 52.4. Prometheus resolves an alert
  // whose expression returns no series (https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/,
  // "Alerting rules"): `ztaudit_score{area="network"} < 50` and `ztaudit_score_overall < 50`
  // must both keep firing, as nothing was fixed.
  it('a kind made unreadable keeps a failing area\'s score series (carried, marked) and does not raise the overall', async () => {
    const check = (id: string, status: RunReport['checks'][number]['status']): RunReport['checks'][number] => ({
      id, area: id.split('.')[0] as RunReport['checks'][number]['area'], title: id, severity: 'high', controls: [], remediation: '', evaluated: 1, passed: 0, failed: 0, waived: 0, status,
    });
    const run = (id: string, areas: RunReport['score']['areas'], overall: number, checks: RunReport['checks']): RunReport =>
      ({ ...fakeReport(id), score: { overall, areas }, checks });
    const reports = [
      run('r1', { network: 0, tls: null, rbac: 95.1, 'pod-security': 20, mtls: null }, 38.4,
        [check('network.a', 'fail'), check('rbac.a', 'pass'), check('pod-security.a', 'fail'), check('pod-security.b', 'fail')]),
      run('r2', { network: null, tls: null, rbac: 95.7, 'pod-security': 9.1, mtls: null }, 52.4,
        [check('network.a', 'not-evaluated'), check('rbac.a', 'pass'), check('pod-security.a', 'fail'), check('pod-security.b', 'not-evaluated')]),
      run('r3', { network: 100, tls: null, rbac: 95.7, 'pod-security': 100, mtls: null }, 98.6,
        [check('network.a', 'pass'), check('rbac.a', 'pass'), check('pod-security.a', 'pass'), check('pod-security.b', 'pass')]),
    ];
    const d = await start({ runOnce: async () => ({ report: reports.shift()!, html: null }) });
    const scrape = async () => {
      const m = parseExposition(await (await fetch(`${d.url}/metrics`)).text());
      const byArea = (name: string) => Object.fromEntries(m.get(name)!.samples.map((s) => [s.labels.area, s.value]));
      return { score: byArea('ztaudit_score'), carried: byArea('ztaudit_score_carried'), overall: m.get('ztaudit_score_overall')!.samples[0]!.value };
    };
    await d.tick();
    expect(await scrape()).toEqual({ score: { network: 0, rbac: 95.1, 'pod-security': 20 }, carried: { network: 0, rbac: 0, 'pod-security': 0 }, overall: 38.4 });
    await d.tick();
    const partial = await scrape();
    expect(partial.score).toEqual({ network: 0, rbac: 95.7, 'pod-security': 9.1 }); // network: run 1's, still failing an alert on < 50
    expect(partial.carried).toEqual({ network: 1, rbac: 0, 'pod-security': 0 });
    expect(partial.overall).toBe(34.9); // (0 + 95.7 + 9.1) / 3, not 52.4: nothing was fixed
    expect(partial.overall).toBeLessThanOrEqual(38.4);
    await d.tick(); // fixed and readable again: its own scores, nothing carried
    expect(await scrape()).toEqual({ score: { network: 100, rbac: 95.7, 'pod-security': 100 }, carried: { network: 0, rbac: 0, 'pod-security': 0 }, overall: 98.6 });
  });
  it('a daemon restarted while a kind is unreadable carries the area score of the stored runs before it (their summaries)', async () => {
    const { scoreMemoryOf } = await import('../../../src/run/carried-scores.ts');
    const areaOf = (id: string) => id.split('.')[0] as RunReport['checks'][number]['area'];
    const stored = [
      { id: 's1', score: { overall: 38.4, areas: { network: 0, tls: null, rbac: 95.1, 'pod-security': 20, mtls: null } }, partial: false, blind: [], notApplicable: [] },
      // A partial run stored before the restart, blind to network: it leaves s1's network score.
      { id: 's2', score: { overall: 52.4, areas: { network: null, tls: null, rbac: 95.7, 'pod-security': 9.1, mtls: null } }, partial: true, blind: ['network.a'], notApplicable: [] },
    ];
    const check = (id: string, status: RunReport['checks'][number]['status']): RunReport['checks'][number] => ({
      id, area: areaOf(id), title: id, severity: 'high', controls: [], remediation: '', evaluated: 1, passed: 0, failed: 0, waived: 0, status,
    });
    const blind = { ...fakeReport('r1'), score: { overall: 52.4, areas: { network: null, tls: null, rbac: 95.7, 'pod-security': 9.1, mtls: null } },
      checks: [check('network.a', 'not-evaluated'), check('rbac.a', 'pass'), check('pod-security.a', 'fail')] } satisfies RunReport;
    const d = await start({ storedScores: async () => scoreMemoryOf(stored, areaOf), runOnce: async () => ({ report: blind, html: null }) });
    await d.tick();
    const m = parseExposition(await (await fetch(`${d.url}/metrics`)).text());
    expect(Object.fromEntries(m.get('ztaudit_score')!.samples.map((x) => [x.labels.area, x.value]))).toEqual({ network: 0, rbac: 95.7, 'pod-security': 9.1 });
    expect(m.get('ztaudit_score_carried')!.samples.find((x) => x.labels.area === 'network')!.value).toBe(1);
    expect(m.get('ztaudit_score_overall')!.samples[0]!.value).toBe(34.9);
  });
});
