// `ztaudit serve` in-process against the demo manifests: flags, every endpoint on a random
// port, and a SIGTERM-like stop through the AbortSignal the command waits on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { parseServeFlags, serve, sixFieldScheduleWarning, startServe } from '../../../src/cli/serve.ts';
import { ConfigError } from '../../../src/base/errors.ts';
import { REPO } from '../../helm/helm.ts';
import { parseExposition } from './exposition.ts';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON from the daemon
const body = async (r: Response | Promise<Response>): Promise<Obj> => (await (await r).json()) as Obj;

const DEMO = join(REPO, 'examples', 'demo-cluster');
const DEMO_CONFIG = join(REPO, 'examples', 'ztaudit.demo.yaml');
const work = mkdtempSync(join(tmpdir(), 'ztaudit-serve-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function io(): CliIO & { err: string[] } {
  const err: string[] = [];
  return { err, stdout: () => {}, stderr: (t) => { err.push(t); }, env: {}, isTTY: false, cwd: work };
}

const BASE = ['--manifests', DEMO, '--config', DEMO_CONFIG, '--no-notify', '--port', '0', '--host', '127.0.0.1'];

describe('serve flags', () => {
  it('takes the run flags (but its exit-code gate) plus --schedule, --timezone, --port; always renders HTML', () => {
    const f = parseServeFlags(['--schedule', '0 2 * * *', '--timezone', 'Europe/Berlin', '--port', '9100', '--manifests', DEMO, '--format', 'json', '--history=none']);
    expect(f).toMatchObject({ schedule: '0 2 * * *', timezone: 'Europe/Berlin', port: 9100, history: 'none', manifests: [DEMO] });
    expect(f.formats).toEqual(['json', 'html']);
    expect(f.graceMs).toBe(20_000);
  });

  it('refuses a missing or malformed schedule, a bad zone, a bad port, and unknown flags', () => {
    expect(() => parseServeFlags(['--manifests', DEMO])).toThrow(/serve needs --schedule/);
    expect(() => parseServeFlags(['--schedule', 'every night'])).toThrow(ConfigError);
    expect(() => parseServeFlags(['--schedule', '0 2 * * *', '--timezone', 'Nowhere/Land'])).toThrow(/--timezone/);
    expect(() => parseServeFlags(['--schedule', '0 2 * * *', '--port', '70000'])).toThrow(/--port/);
    expect(() => parseServeFlags(['--schedule', '0 2 * * *', '--format', 'docx'])).toThrow(/--format docx/);
    expect(() => parseServeFlags(['--schedule', '0 2 * * *', '--bogus'])).toThrow();
  });
});

describe('a six-field schedule', () => {
  it('is read seconds first, and the warning says so with the next two runs; five fields say nothing', () => {
    const now = new Date('2026-12-04T11:30:00Z');
    const w = sixFieldScheduleWarning('0 2 * * * *', 'UTC', now);
    expect(w).toContain('--schedule "0 2 * * * *" has six fields');
    expect(w).toContain('seconds first');
    // Hourly at minute 2, not nightly at 02:00.
    expect(w).toContain('2026-12-04T12:02:00.000Z and 2026-12-04T13:02:00.000Z');
    expect(sixFieldScheduleWarning('0 2 * * *', 'UTC', now)).toBeNull();
    expect(sixFieldScheduleWarning('@daily', 'UTC', now)).toBeNull();
  });

  it('is explained in `ztaudit serve --help`', async () => {
    const out: string[] = [];
    const code = await main(['serve', '--help'], { ...io(), stdout: (t) => { out.push(t); } });
    expect(code).toBe(0);
    expect(out.join('').replace(/\s+/g, ' ')).toContain('six fields are read seconds first');
  });

  it('is warned about once at start-up, before the first run', async () => {
    const o = io();
    const d = await startServe([...BASE, '--schedule', '0 2 * * * *', '--history', 'none', '--out', join(work, 'reports-six')], o);
    try {
      await d.idle();
      const warnings = o.err.map((l) => JSON.parse(l) as Obj).filter((l) => l.event === 'schedule-six-fields');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.level).toBe('warn');
      expect(warnings[0]!.msg).toMatch(/six fields, which node-cron reads seconds first .*next runs are \S+:02:00\.000Z and \S+:02:00\.000Z/);
    } finally {
      await d.stop();
    }
    const five = io();
    const d5 = await startServe([...BASE, '--schedule', '0 2 * * *', '--history', 'none', '--out', join(work, 'reports-five')], five);
    try {
      await d5.idle();
      expect(five.err.join('')).not.toContain('schedule-six-fields');
    } finally {
      await d5.stop();
    }
  });
});

describe('ztaudit serve against examples/demo-cluster', () => {
  it('runs at start-up and serves the report, the JSON, health and Prometheus metrics', async () => {
    const out = join(work, 'reports-1');
    const d = await startServe([...BASE, '--schedule', '0 2 * * *', '--history', 'none', '--out', out], io());
    try {
      await d.idle();
      const health = await body(fetch(`${d.url}/healthz`));
      expect(health).toMatchObject({ status: 'ok', running: false });
      const runId: string = health.lastRun.id;
      expect(runId).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);

      const page = await fetch(`${d.url}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      const html = await page.text();
      expect(html).toMatch(/<html/i);
      expect(html).toContain(runId);

      const report = await body(fetch(`${d.url}/report.json`));
      expect(report.run.id).toBe(runId);
      expect(report.findings.length).toBeGreaterThan(0); // the demo has gaps in every area

      expect((await fetch(`${d.url}/runs/${runId}`)).status).toBe(200);
      expect((await fetch(`${d.url}/runs/20200101T000000Z-000000`)).status).toBe(404); // no history store

      const m = parseExposition(await (await fetch(`${d.url}/metrics`)).text());
      const overall = m.get('ztaudit_score_overall')!.samples[0]!.value;
      expect(overall).toBe(report.score.overall);
      for (const [area, score] of Object.entries(report.score.areas as Record<string, number | null>)) {
        const sample = m.get('ztaudit_score')!.samples.find((s) => s.labels.area === area);
        expect(sample?.value ?? null).toBe(score);
      }
      const openBySeverity = (sev: string) => m.get('ztaudit_findings')!.samples.filter((s) => s.labels.severity === sev).reduce((n, s) => n + s.value, 0);
      expect(openBySeverity('high')).toBe(report.findings.filter((f: { severity: string; waived: boolean }) => f.severity === 'high' && !f.waived).length);
      expect(m.get('ztaudit_runs_total')!.samples.find((s) => s.labels.result === 'success')!.value).toBe(1);
      expect(m.get('ztaudit_notification_failures_total')!.samples.every((s) => s.value === 0)).toBe(true);
    } finally {
      await d.stop();
    }
  });

  it('with a SQLite history: /runs/:id renders an earlier stored run, and every run is stored', async () => {
    const history = join(work, 'history.db');
    const d = await startServe([...BASE, '--schedule', '0 2 * * *', '--history', history, '--out', join(work, 'reports-h')], io());
    let firstId = '';
    try {
      await d.idle();
      firstId = (await body(fetch(`${d.url}/healthz`))).lastRun.id;
      expect(await d.tick('manual')).toBe('ran');
      const secondId: string = (await body(fetch(`${d.url}/healthz`))).lastRun.id;
      expect(secondId).not.toBe(firstId);
      const latest = await (await fetch(`${d.url}/`)).text();
      expect(latest).toContain(secondId);
      const older = await fetch(`${d.url}/runs/${firstId}`);
      expect(older.status).toBe(200);
      expect(older.headers.get('content-type')).toContain('text/html');
      const html = await older.text();
      expect(html).toContain(firstId);
      expect(html).not.toContain(secondId);
      expect((await fetch(`${d.url}/runs/20200101T000000Z-000000`)).status).toBe(404);
      expect((await body(fetch(`${d.url}/report.json`))).diff?.previousRunId).toBe(firstId);
    } finally {
      await d.stop();
    }
    // The store was released and closed: it opens again and holds both runs.
    const { openRunStore } = await import('../../../src/history/store.ts');
    const store = await openRunStore(history, { readOnly: true });
    try {
      expect((await store.list(10)).map((r) => r.id)).toContain(firstId);
      expect(await store.list(10)).toHaveLength(2);
      await store.acquire(); // nobody holds it any more
      await store.release();
    } finally {
      await store.close();
    }
  });

  it('stops cleanly when its signal aborts (the SIGTERM path) and returns exit code 0', async () => {
    const controller = new AbortController();
    const stream = io();
    const done = serve([...BASE, '--schedule', '0 2 * * *', '--history', 'none', '--out', join(work, 'reports-2')], stream, controller.signal);
    // Wait until the server is up and the start-up run has finished, then "SIGTERM".
    const deadline = Date.now() + 10_000;
    while (!stream.err.join('').includes('"event":"run-finished"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const port = /"port":(\d+)/.exec(stream.err.join(''))![1];
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    controller.abort();
    expect(await done).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    expect(stream.err.join('')).toContain('"event":"stopped"');
  });

  it('says once per process, not at every run, that a channel named without its credentials sends nothing', async () => {
    const stream = io();
    stream.env = { ZTAUDIT_SLACK_CHANNEL: 'C0ALERTS', ZTAUDIT_EMAIL_TO: 'oncall@example.com' };
    const flags = BASE.filter((f) => f !== '--no-notify');
    const d = await startServe([...flags, '--schedule', '0 2 * * *', '--history', 'none', '--out', join(work, 'reports-creds')], stream);
    try {
      await d.idle();
      expect(await d.tick('manual')).toBe('ran');
      expect(await d.tick('manual')).toBe('ran');
    } finally {
      await d.stop();
    }
    const log = stream.err.join('');
    expect(log.match(/"event":"run-finished"/g)).toHaveLength(3);
    expect(log.match(/ZTAUDIT_SLACK_CHANNEL is set but ZTAUDIT_SLACK_TOKEN is not: Slack disabled/g)).toHaveLength(1);
    expect(log.match(/ZTAUDIT_EMAIL_TO is set but ZTAUDIT_SMTP_URL is not: email disabled/g)).toHaveLength(1);
  });
});
