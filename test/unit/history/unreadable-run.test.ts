// One stored run whose report was truncated or corrupted (a disk fault, a hand edit) must not
// cost anything else (README "History": bad input gets a clear one-line error naming the
// object, and loses nothing): the next audit still runs, writes its reports and is stored,
// diffed against the newest run that can be read, and says which run it passed over;
// `history export` writes every other run, names the bad one and exits 2; `fleet` leaves out
// only what that run would add, names it and exits 2.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { skipReason } from '../../../src/notify/policy.ts';
import { fleetDataOf } from '../../../src/fleet/data.ts';
import { openK8sStore } from '../../../src/history/k8s.ts';
import { runPipeline, type PipelineEdges } from '../../../src/pipeline/pipeline.ts';
import type { RunStore } from '../../../src/history/run-store.ts';
import { DEFAULT_FLEET_QUERY } from '../../../src/run/fleet.ts';
import type { RunDiff, RunReport, RunSummary } from '../../../src/run/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { captureIO } from '../../helpers/cli.ts';
import { FAKE_CHECKS, clusterRole, deployment, netpol, ns, snapshotOf } from '../diff/fake-checks.ts';
import { FakeConfigMaps } from './fake-core-api.ts';
import { startCoreApiServer, type CoreApiServer } from './core-api-server.ts';
import { startFakeSlack } from '../notify/slack-server.ts';
import { diffStep } from '../pipeline/diff-step.ts';

const REPO = join(import.meta.dirname, '../../..');
const DEMO = ['--manifests', join(REPO, 'examples/demo-cluster'), '--config', join(REPO, 'examples/ztaudit.demo.yaml')];

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'ztaudit-unreadable-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The reviewer's reproduction: `UPDATE runs SET report=substr(report,1,100) WHERE id=…`. */
function truncateStored(db: string, id: string): void {
  const sql = new DatabaseSync(db);
  try {
    expect(Number(sql.prepare('UPDATE runs SET report = substr(report, 1, 100) WHERE id = ?').run(id).changes)).toBe(1);
  } finally {
    sql.close();
  }
}

async function runDemo(cluster: string, out: string, extra: string[] = []) {
  const t = captureIO(dir);
  const code = await main(['run', ...DEMO, '--cluster', cluster, '--history', join(dir, 'h.db'), '--out', join(dir, out), '--format', 'json', '--no-notify', ...extra], t.cli);
  const file = join(dir, out, 'report.json');
  return { code, t, report: existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as RunReport : null };
}

describe('a stored run that cannot be read (SQLite)', () => {
  it('the next run still audits, writes its reports and is stored, diffed against the newest readable run, and names the run it passed over', async () => {
    const a = await runDemo('prod-b', 'a', ['-q']);
    const b = await runDemo('prod-b', 'b', ['-q']);
    expect([a.code, b.code]).toEqual([0, 0]);
    const bId = b.report!.run.id;
    truncateStored(join(dir, 'h.db'), bId);

    const c = await runDemo('prod-b', 'c');
    expect(c.code, c.t.err()).toBe(0);
    // Its reports are written and it is diffed against A, the newest run that can be read…
    expect(c.report!.diff!.previousRunId).toBe(a.report!.run.id);
    // …and says so wherever the report says the baseline was older: report.json, the terminal, stderr.
    expect(c.report!.diff!.unreadableRuns).toEqual([bId]);
    expect(c.t.out()).toContain(`stored run ${bId} could not be read (passed over)`);
    const warnings = c.t.errLines().map((l) => JSON.parse(l) as { level: string; msg: string }).filter((l) => l.level === 'warn').map((l) => l.msg);
    expect(warnings).toEqual([`stored run ${bId} in ${join(dir, 'h.db')} is unreadable: unexpected end of file; passed over: this run is diffed against run ${a.report!.run.id}`]);

    // `diff --last` compares the two as the run did, and says so.
    const last = captureIO(dir);
    expect(await main(['diff', '--last', '--history', join(dir, 'h.db')], last.cli), last.err()).toBe(0);
    expect(last.out()).toContain(`compared with older runs: stored run(s) ${bId} could not be read (passed over)`);
    expect(last.errLines()).toEqual([`ztaudit diff: warning: stored run ${bId} in ${join(dir, 'h.db')} is unreadable: unexpected end of file; passed over`]);

    // Stored: the next run is diffed against it, as usual, and does not meet the bad run again.
    const d = await runDemo('prod-b', 'd', ['-q']);
    expect(d.code, d.t.err()).toBe(0);
    expect(d.report!.diff!.previousRunId).toBe(c.report!.run.id);
    expect(d.report!.diff!.unreadableRuns).toBeUndefined();
    expect(d.t.err()).toBe('');
  });

  it('history export writes every other run, names the unreadable one on stderr and exits 2', async () => {
    const runs = [];
    for (const out of ['a', 'b', 'c']) runs.push((await runDemo('prod-b', out, ['-q'])).report!.run.id);
    truncateStored(join(dir, 'h.db'), runs[1]);
    const t = captureIO(dir);
    expect(await main(['history', 'export', '--history', join(dir, 'h.db'), '--file', 'ec.jsonl'], t.cli)).toBe(2);
    const lines = readFileSync(join(dir, 'ec.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { format?: string; run?: { id: string } });
    expect(lines[0].format).toBe('ztaudit-history-export');
    expect(lines.slice(1).map((l) => l.run!.id)).toEqual([runs[0], runs[2]]);
    expect(t.errLines()).toEqual([
      `ztaudit history export: stored run ${runs[1]} in ${join(dir, 'h.db')} is unreadable: unexpected end of file; skipped`,
      `ztaudit history export: 2 run(s) from ${join(dir, 'h.db')}; 1 unreadable run(s) skipped`,
    ]);
    // README's way to delete it now (no command does): the export is whole again.
    const sql = new DatabaseSync(join(dir, 'h.db'));
    sql.prepare('DELETE FROM runs WHERE id = ?').run(runs[1]);
    sql.close();
    expect(await main(['history', 'export', '--history', join(dir, 'h.db'), '--file', 'ec2.jsonl'], captureIO(dir).cli)).toBe(0);
  });

  it('fleet still reports every cluster, leaves out the common findings and waivers of the run it cannot read, names it and exits 2', async () => {
    await runDemo('prod-a', 'a', ['-q']);
    const b = await runDemo('prod-b', 'b', ['-q']);
    const whole = captureIO(dir);
    expect(await main(['fleet', '--history', join(dir, 'h.db'), '--format', 'json', '--out', 'f1', '--no-notify', '-q'], whole.cli)).toBe(0);
    const before = JSON.parse(readFileSync(join(dir, 'f1/fleet.json'), 'utf8')) as { clusters: unknown[]; common: Array<{ clusterNames: string[] }> };
    expect(before.common.length).toBeGreaterThan(0); // the same demo cluster twice: its findings are common to both
    truncateStored(join(dir, 'h.db'), b.report!.run.id);

    const t = captureIO(dir);
    expect(await main(['fleet', '--history', join(dir, 'h.db'), '--format', 'json', '--out', 'f2', '--no-notify', '-q'], t.cli)).toBe(2);
    const after = JSON.parse(readFileSync(join(dir, 'f2/fleet.json'), 'utf8')) as typeof before & { waivers: Array<{ cluster: string }> };
    expect(after.clusters).toHaveLength(2); // scores come from the summaries, still readable
    expect(after.common).toEqual([]); // prod-b's findings are not read, so nothing is on two clusters
    expect(after.waivers.every((w) => w.cluster !== 'prod-b')).toBe(true);
    expect(t.errLines()).toEqual([`ztaudit fleet: warning: stored run ${b.report!.run.id} in ${join(dir, 'h.db')} is unreadable: unexpected end of file; left out of the regressions' reasons, the common findings and the waivers`]);
  });

  it('with no readable run of the cluster left and nothing worse than its stored summary said, the run is stored undiffed and its notes say why', async () => {
    const a = await runDemo('prod-b', 'a', ['-q']);
    truncateStored(join(dir, 'h.db'), a.report!.run.id);
    const b = await runDemo('prod-b', 'b');
    expect(b.code, b.t.err()).toBe(0);
    expect(b.report!.diff).toBeNull();
    const warnings = b.t.errLines().map((l) => JSON.parse(l) as { level: string; msg: string }).filter((l) => l.level === 'warn').map((l) => l.msg);
    expect(warnings).toEqual([`stored run ${a.report!.run.id} in ${join(dir, 'h.db')} is unreadable: unexpected end of file; passed over: no older run of this cluster can be read, so this run is not diffed`]);
    expect(b.report!.run.notes).toContain(`not diffed: no stored run of this cluster could be read (unreadable: ${a.report!.run.id})`);
    const c = await runDemo('prod-b', 'c', ['-q']);
    expect(c.report!.diff!.previousRunId).toBe(b.report!.run.id);
  });
  it('with no readable run left and nothing worse than its stored summary said, the terminal, report.md, report.html, report.json, history and the alert policy say the previous run could not be read, not "first run"', async () => {
    const a = await runDemo('prod-b', 'a', ['-q']);
    truncateStored(join(dir, 'h.db'), a.report!.run.id);
    const b = await runDemo('prod-b', 'b', ['--format', 'json,md,html']);
    expect(b.code, b.t.err()).toBe(0);
    const said = `Not compared: this is not the first run of this cluster, but its previous stored run ${a.report!.run.id} could not be read (passed over), so there is nothing to compare with`;
    expect(b.report!.diff).toBeNull();
    expect(b.report!.run.unreadablePrevious).toEqual([a.report!.run.id]);
    expect(b.t.out()).toContain(`\n${said}\n`);
    expect(readFileSync(join(dir, 'b', 'report.md'), 'utf8')).toContain(`## Changes since last run\n\n**${said.replace(/[()]/g, '\\$&')}.**`);
    const html = readFileSync(join(dir, 'b', 'report.html'), 'utf8');
    expect(html).toContain(`<div class="banner bad not-diffed">${said}.</div>`);
    expect(html).not.toContain('This is the first run recorded for this cluster');
    expect(skipReason(b.report!, 'regression')).toBe('not diffed: no previous stored run of this cluster could be read');
    const listed = captureIO(dir);
    await main(['history', '--history', join(dir, 'h.db')], listed.cli);
    expect(listed.out().split('\n')[1]).toMatch(new RegExp(`^${b.report!.run.id} .* not diffed$`));
    // A first run still says so.
    const first = await runDemo('prod-c', 'first', ['-q', '--format', 'html']);
    expect(readFileSync(join(dir, 'first', 'report.html'), 'utf8')).toContain('This is the first run recorded for this cluster');
    expect(first.code).toBe(0);
  });
});

/**
 * A stored report that inflates to valid JSON of the wrong shape (a hand edit, another writer):
 * README "History" treats it as it treats a truncated one. Before, `{}` crashed every later run
 * of the cluster ("Cannot read properties of undefined (reading 'id')", exit 2, nothing stored),
 * and `diff --last`, `report` and `history` with it.
 */
function replaceStored(db: string, id: string, reshape: (report: Record<string, unknown>) => unknown): void {
  const sql = new DatabaseSync(db);
  try {
    const row = sql.prepare('SELECT report FROM runs WHERE id = ?').get(id) as { report: Uint8Array };
    const value = reshape(JSON.parse(gunzipSync(row.report).toString('utf8')) as Record<string, unknown>);
    expect(Number(sql.prepare('UPDATE runs SET report = ? WHERE id = ?').run(gzipSync(JSON.stringify(value)), id).changes)).toBe(1);
  } finally {
    sql.close();
  }
}

describe('a stored report that decodes to JSON of the wrong shape (SQLite)', () => {
  it.each([
    ['{}', () => ({}), 'its run is not an object'],
    ['{"run":{}}', () => ({ run: {} }), 'its run.id is not text'],
    ['a whole run with checks: null', (r: Record<string, unknown>) => ({ ...r, checks: null }), 'its checks are not a list'],
  ])('%s in the middle of three runs: the next run exits 0, diffed against the run before, naming it; diff --last, report and history say one line, no stack trace', async (_name, reshape, problem) => {
    const a = await runDemo('prod-b', 'a', ['-q']);
    const b = await runDemo('prod-b', 'b', ['-q']);
    const bId = b.report!.run.id;
    replaceStored(join(dir, 'h.db'), bId, reshape);
    const why = `stored run ${bId} in ${join(dir, 'h.db')} is unreadable: its report decodes to no run (${problem})`;

    const c = await runDemo('prod-b', 'c');
    expect(c.code, c.t.err()).toBe(0);
    expect(c.report!.diff!.previousRunId).toBe(a.report!.run.id);
    expect(c.report!.diff!.unreadableRuns).toEqual([bId]);
    const warnings = c.t.errLines().map((l) => JSON.parse(l) as { level: string; msg: string }).filter((l) => l.level === 'warn').map((l) => l.msg);
    expect(warnings).toEqual([`${why}; passed over: this run is diffed against run ${a.report!.run.id}`]);

    const last = captureIO(dir);
    expect(await main(['diff', '--last', '--history', join(dir, 'h.db')], last.cli), last.err()).toBe(0);
    expect(last.errLines()).toEqual([`ztaudit diff: warning: ${why}; passed over`]);

    const report = captureIO(dir);
    expect(await main(['report', bId, '--history', join(dir, 'h.db'), '--out', join(dir, 'rb')], report.cli)).toBe(2);
    expect(report.errLines()).toEqual([`ztaudit report: ${why}`]);

    const listed = captureIO(dir);
    expect(await main(['history', '--history', join(dir, 'h.db')], listed.cli), listed.err()).toBe(0);
    expect(listed.out().trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0])).toEqual([c.report!.run.id, bId, a.report!.run.id]);
    expect(listed.err()).toBe('');
  });
});

/**
 * A run's stored summary damaged by hand (the summary column is what `history`, `fleet` and the
 * trend read). Not JSON, SQLite's json_extract throws on it (https://sqlite.org/json1.html, "JSON
 * arguments"): the next run's baseline walk and its retention read the summary that way.
 */
function damageSummary(db: string, id: string, summary: string): void {
  const sql = new DatabaseSync(db);
  try {
    expect(Number(sql.prepare('UPDATE runs SET summary = ? WHERE id = ?').run(summary, id).changes)).toBe(1);
  } finally {
    sql.close();
  }
}

describe('a stored run whose summary cannot be read (SQLite)', () => {
  it('history lists it in its place as UNREADABLE, names the run and the column on stderr and exits 2; the JSON lists the others', async () => {
    const runs: string[] = [];
    for (const out of ['a', 'b', 'c']) runs.push((await runDemo('prod-b', out, ['-q'])).report!.run.id);
    damageSummary(join(dir, 'h.db'), runs[1], 'garbage');
    const t = captureIO(dir);
    expect(await main(['history', '--history', join(dir, 'h.db')], t.cli)).toBe(2);
    const lines = t.out().trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(['RUN', runs[2], runs[1], runs[0]]);
    expect(lines[2]).toMatch(/ UNREADABLE$/);
    expect(t.errLines()).toEqual([`ztaudit history: warning: stored run ${runs[1]} in ${join(dir, 'h.db')} has an unreadable summary (runs.summary): not JSON (Unexpected token 'g', "garbage" is not valid JSON); listed as UNREADABLE`]);
    // Valid JSON that is no summary (a score that is text) is the same, not a crash on the table.
    damageSummary(join(dir, 'h.db'), runs[1], JSON.stringify({ id: runs[1], startedAt: '2026-12-04T00:00:00Z', cluster: 'prod-b', score: 'high' }));
    const j = captureIO(dir);
    expect(await main(['history', '--history', join(dir, 'h.db'), '-o', 'json'], j.cli)).toBe(2);
    expect((JSON.parse(j.out()) as RunSummary[]).map((r) => r.id)).toEqual([runs[2], runs[0]]);
    expect(j.errLines()).toEqual([`ztaudit history: warning: stored run ${runs[1]} in ${join(dir, 'h.db')} has an unreadable summary (runs.summary): its score is not an overall score with area scores; listed as UNREADABLE`]);
  });

  it('the next run is stored and diffed against it (its report reads); `report` renders it; export carries it', async () => {
    const a = await runDemo('prod-b', 'a', ['-q']);
    const b = await runDemo('prod-b', 'b', ['-q']);
    damageSummary(join(dir, 'h.db'), b.report!.run.id, 'garbage');
    const c = await runDemo('prod-b', 'c', ['-q']);
    expect(c.code, c.t.err()).toBe(0);
    expect(c.report!.diff!.previousRunId).toBe(b.report!.run.id);
    expect(c.report!.diff!.unreadableRuns).toBeUndefined();
    const listed = captureIO(dir);
    await main(['history', '--history', join(dir, 'h.db'), '-o', 'json'], listed.cli);
    expect((JSON.parse(listed.out()) as RunSummary[]).map((r) => r.id)).toEqual([c.report!.run.id, a.report!.run.id]);
    const report = captureIO(dir);
    expect(await main(['report', b.report!.run.id.slice(0, -1), '--history', join(dir, 'h.db'), '--out', join(dir, 'rb'), '--format', 'json'], report.cli), report.err()).toBe(0);
    const exp = captureIO(dir);
    expect(await main(['history', 'export', '--history', join(dir, 'h.db'), '--file', 'e.jsonl'], exp.cli), exp.err()).toBe(0);
    expect(readFileSync(join(dir, 'e.jsonl'), 'utf8').trim().split('\n').slice(1).map((l) => (JSON.parse(l) as RunReport).run.id)).toEqual([a, b, c].map((r) => r.report!.run.id));
  });

  it('with its report unreadable too, the next run passes over it, named, and is diffed against the run before', async () => {
    const a = await runDemo('prod-b', 'a', ['-q']);
    const b = await runDemo('prod-b', 'b', ['-q']);
    damageSummary(join(dir, 'h.db'), b.report!.run.id, 'garbage');
    truncateStored(join(dir, 'h.db'), b.report!.run.id);
    const c = await runDemo('prod-b', 'c');
    expect(c.code, c.t.err()).toBe(0);
    expect(c.report!.diff!.previousRunId).toBe(a.report!.run.id);
    expect(c.report!.diff!.unreadableRuns).toEqual([b.report!.run.id]);
    expect(c.report!.diff!.regressionReasons).toEqual([]); // no summary to compare with
  });

  it('fleet over a store whose only run cannot be read: the run named, then one line that no run could be read, exit 2, no report written', async () => {
    const a = await runDemo('prod-a', 'a', ['-q']);
    damageSummary(join(dir, 'h.db'), a.report!.run.id, 'garbage');
    const t = captureIO(dir);
    expect(await main(['fleet', '--history', join(dir, 'h.db'), '--format', 'json', '--out', 'f', '--no-notify', '-q'], t.cli)).toBe(2);
    expect(t.errLines()).toEqual([
      `ztaudit fleet: warning: stored run ${a.report!.run.id} in ${join(dir, 'h.db')} has an unreadable summary (runs.summary): not JSON (Unexpected token 'g', "garbage" is not valid JSON); left out of the fleet (its cluster is shown by its other runs)`,
      `ztaudit fleet: ${join(dir, 'h.db')} holds no run that could be read (1 unreadable, named above): no fleet report written (point --history at the store the audits write to; ztaudit history lists what a store holds)`,
    ]);
    expect(existsSync(join(dir, 'f'))).toBe(false);
  });

  it("fleet says which clusters' newest run cannot be read (SQLite, as PostgreSQL): one shown by an older run is marked not current, one with no readable run stays listed", async () => {
    // Missing data is not a fix (README): test/postgres/fleet-unreadable-latest.test.ts is the PostgreSQL twin.
    const a = await runDemo('prod-a', 'a', ['-q']);
    const b1 = await runDemo('prod-b', 'b1', ['-q']);
    const b2 = await runDemo('prod-b', 'b2', ['-q']);
    const c = await runDemo('prod-c', 'c', ['-q']);
    damageSummary(join(dir, 'h.db'), b2.report!.run.id, '[]');
    damageSummary(join(dir, 'h.db'), c.report!.run.id, 'garbage');
    const t = captureIO(dir);
    expect(await main(['fleet', '--history', join(dir, 'h.db'), '--format', 'json,md', '--out', 'f', '--no-notify', '-q'], t.cli)).toBe(2);
    const fleet = JSON.parse(readFileSync(join(dir, 'f/fleet.json'), 'utf8')) as { clusters: Array<{ cluster: string; latest: { id: string }; latestUnreadable?: { runId: string } }>; unreadable: Array<{ cluster: string; runId: string; startedAt: string | null; shownBy: string | null }> };
    expect(fleet.clusters.map((x) => [x.cluster, x.latest.id, x.latestUnreadable?.runId ?? null])).toEqual([['prod-a', a.report!.run.id, null], ['prod-b', b1.report!.run.id, b2.report!.run.id]]);
    expect(fleet.unreadable.map((u) => [u.cluster, u.runId, u.startedAt, u.shownBy])).toEqual([
      ['prod-b', b2.report!.run.id, b2.report!.run.startedAt, b1.report!.run.id],
      ['prod-c', c.report!.run.id, c.report!.run.startedAt, null],
    ]);
    const md = readFileSync(join(dir, 'f/fleet.md'), 'utf8');
    expect(md).toContain('# ztaudit fleet report: 3 clusters');
    expect(md).toContain('2 whose latest run could not be read (state unknown).');
  });

  it('fleet shows every cluster by its readable runs, names the run it left out and exits 2', async () => {
    const a = await runDemo('prod-a', 'a', ['-q']);
    const b1 = await runDemo('prod-b', 'b1', ['-q']);
    const b2 = await runDemo('prod-b', 'b2', ['-q']);
    damageSummary(join(dir, 'h.db'), b2.report!.run.id, '[]');
    const t = captureIO(dir);
    expect(await main(['fleet', '--history', join(dir, 'h.db'), '--format', 'json', '--out', 'f', '--no-notify', '-q'], t.cli)).toBe(2);
    const fleet = JSON.parse(readFileSync(join(dir, 'f/fleet.json'), 'utf8')) as { clusters: Array<{ cluster: string; runs: number; latest: { id: string } }> };
    expect(fleet.clusters.map((c) => [c.cluster, c.latest.id, c.runs])).toEqual([['prod-a', a.report!.run.id, 1], ['prod-b', b1.report!.run.id, 2]]);
    expect(t.errLines()).toEqual([`ztaudit fleet: warning: stored run ${b2.report!.run.id} in ${join(dir, 'h.db')} has an unreadable summary (runs.summary): not a JSON object; left out of the fleet (its cluster is shown by its other runs)`]);
  });
});

/**
 * The reviewer's reproduction: an Ingress on an AWS ALB (a high tls.legacy-protocol-enabled
 * finding: its ssl-policy accepts TLS 1.0), then the cluster without it, then with it again. Run 2 told the on-call engineer
 * "clean"; if run 2 cannot be read, run 3 is diffed against run 1, where the finding already
 * was: without its summary the finding that came back would be "persisting", no alert.
 */
const ALB = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: alb}
spec: {controller: ingress.k8s.aws/alb}
`;
const SHOP = `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  namespace: web
  annotations:
    alb.ingress.kubernetes.io/certificate-arn: arn:aws:acm:us-east-1:111122223333:certificate/abc
    alb.ingress.kubernetes.io/listen-ports: '[{"HTTPS":443}]'
    alb.ingress.kubernetes.io/ssl-policy: ELBSecurityPolicy-TLS-1-0-2015-04
spec:
  ingressClassName: alb
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: shop, port: {number: 80}}}}
`;

function corruptStored(db: string, id: string): void {
  const sql = new DatabaseSync(db);
  try {
    expect(Number(sql.prepare(`UPDATE runs SET report = 'garbage' WHERE id = ?`).run(id).changes)).toBe(1);
  } finally {
    sql.close();
  }
}

async function runYaml(yaml: string, out: string) {
  writeFileSync(join(dir, `${out}.yaml`), yaml);
  const t = captureIO(dir);
  const code = await main(['run', '--manifests', join(dir, `${out}.yaml`), '--cluster', 'shop', '--history', join(dir, 'h.db'), '--out', join(dir, out), '--format', 'json,md', '--no-notify', '--fail-on', 'regression', '-q'], t.cli);
  const file = join(dir, out, 'report.json');
  return { code, t, report: existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as RunReport : null, md: existsSync(join(dir, out, 'report.md')) ? readFileSync(join(dir, out, 'report.md'), 'utf8') : '' };
}

describe('a stored run that cannot be read: what got worse since it, by its stored summary (SQLite)', () => {
  it('a finding that was resolved in the unreadable run and is back now is a regression, named with that run', async () => {
    const one = await runYaml(ALB + SHOP, 'r1');
    const two = await runYaml(ALB, 'r2');
    expect([one.code, two.code], two.t.err()).toEqual([0, 0]);
    expect(two.report!.diff!.resolved).toHaveLength(4);
    expect(one.report!.findings.filter((f) => f.severity === 'high')).toHaveLength(1);
    corruptStored(join(dir, 'h.db'), two.report!.run.id);

    const three = await runYaml(ALB + SHOP, 'r3');
    // The detailed diff still comes from the readable run 1: nothing new, nothing resolved…
    expect(three.report!.diff!.previousRunId).toBe(one.report!.run.id);
    expect(three.report!.diff!.unreadableRuns).toEqual([two.report!.run.id]);
    expect([three.report!.diff!.new, three.report!.diff!.resolved]).toEqual([[], []]);
    // …but run 2 reported it clean (high 0, tls 100.0), and that is what changed: --fail-on regression exits 1.
    // Network had nothing to judge in run 2 (n/a) and is scored now: the overall mean moved by
    // it joining, so the overall score is not compared (as diffRuns gives it no delta).
    const reason = `since run ${two.report!.run.id} (unreadable; compared by its stored summary): high findings 0 → 1, tls score 100.0 → 46.2`;
    expect(three.report!.diff!.regression).toBe(true);
    expect(three.report!.diff!.regressionReasons).toEqual([reason]);
    expect(three.code, three.t.err()).toBe(1);
    expect(three.md).toContain(`**Regression**: ${reason.replace(/[()]/g, '\\$&')}`); // report.md escapes Markdown's parentheses
    // `diff --last` compares the two as the run did.
    const last = captureIO(dir);
    expect(await main(['diff', '--last', '--history', join(dir, 'h.db'), '-o', 'json'], last.cli), last.err()).toBe(0);
    expect((JSON.parse(last.out()) as RunDiff).regressionReasons).toEqual([reason]);
  });

  it('an unreadable run whose summary is no better than now adds no reason', async () => {
    const one = await runYaml(ALB + SHOP, 'r1');
    const two = await runYaml(ALB + SHOP, 'r2');
    corruptStored(join(dir, 'h.db'), two.report!.run.id);
    const three = await runYaml(ALB + SHOP, 'r3');
    expect(three.report!.diff!.previousRunId).toBe(one.report!.run.id);
    expect(three.report!.diff!.unreadableRuns).toEqual([two.report!.run.id]);
    expect(three.report!.diff!.regression).toBe(false);
    expect(three.report!.diff!.regressionReasons).toEqual([]);
    expect(three.code, three.t.err()).toBe(0);
  });
});

/**
 * The reviewer's reproduction (/tmp/rev-history m1, m2): the only earlier run of the cluster is
 * clean and its report cannot be read (its summary can); the next run adds a ServiceAccount
 * bound to cluster-admin, a critical rbac.cluster-admin-binding finding (Kubernetes "Role Based
 * Access Control Good Practices", https://kubernetes.io/docs/concepts/security/rbac-good-practices/,
 * "Least privilege": avoid cluster-admin). Not diffed, it alerted nobody, and the run after it
 * called the binding "persisting": never alerted.
 */
const CLEAN = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {pod-security.kubernetes.io/enforce: restricted}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
automountServiceAccountToken: false
`;
const BACKDOOR = `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: backdoor}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {kind: ServiceAccount, name: web, namespace: shop}
`;

describe('no earlier run of the cluster can be read, but the newest one\'s stored summary can (SQLite)', () => {
  async function runWith(yaml: string, out: string, env: Record<string, string> = {}, extra: string[] = ['--no-notify']) {
    writeFileSync(join(dir, `${out}.yaml`), yaml);
    const t = captureIO(dir, env);
    const code = await main(['run', '--manifests', join(dir, `${out}.yaml`), '--cluster', 'c1', '--history', join(dir, 'h.db'), '--out', join(dir, out), '--format', 'json', '--fail-on', 'regression', '-q', ...extra], t.cli);
    const file = join(dir, out, 'report.json');
    return { code, t, report: existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as RunReport : null };
  }

  it('a cluster-admin backdoor added since is a regression by that summary: alerted on Slack, --fail-on regression exits 1, diff --last says the same', async () => {
    const one = await runWith(CLEAN, 'r1');
    expect(one.code, one.t.err()).toBe(0);
    expect(one.report!.findings.filter((f) => f.severity === 'critical')).toEqual([]);
    const oneId = one.report!.run.id;
    corruptStored(join(dir, 'h.db'), oneId);

    const slack = await startFakeSlack();
    try {
      const two = await runWith(CLEAN + BACKDOOR, 'r2', { ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_CHANNEL: 'C0ALERTS', ZTAUDIT_SLACK_API_URL: slack.apiUrl }, []);
      expect(two.report!.findings.filter((f) => f.severity === 'critical' && f.check === 'rbac.cluster-admin-binding').length).toBeGreaterThan(0);
      const reason = two.report!.diff?.regressionReasons[0] ?? '';
      expect(reason).toMatch(new RegExp(`^since run ${oneId} \\(unreadable; compared by its stored summary\\): critical findings 0 → 2, `));
      expect(reason).toMatch(/, rbac score 100\.0 → \d+\.\d$/);
      expect(two.report!.diff).toMatchObject({ previousRunId: oneId, bySummary: true, regression: true, unreadableRuns: [oneId], new: [], resolved: [] });
      expect(two.code, two.t.err()).toBe(1);
      expect(two.t.err()).toContain(`a regression since run ${oneId}: ${reason}`);
      // The alert went out: not skipped as "not diffed".
      expect(two.report!.notifications).toEqual([expect.objectContaining({ channel: 'slack', status: 'sent' })]);
      const posted = slack.calls.filter((c) => c.path === '/api/chat.postMessage').map((c) => String(c.fields.text ?? ''));
      expect(posted.some((text) => text.startsWith('ztaudit: compliance regression on'))).toBe(true);
      expect(slack.calls.some((c) => c.path === '/api/chat.postMessage' && JSON.stringify(c.fields).includes('critical findings 0 → 2'))).toBe(true);
      // Which findings are new is not known from a summary: n/a, not "0 new".
      expect(slack.calls.some((c) => c.path === '/api/chat.postMessage' && /\*New findings\*\\+nn\/a/.test(JSON.stringify(c.fields)))).toBe(true);
    } finally {
      await slack.close();
    }

    const last = captureIO(dir);
    expect(await main(['diff', '--last', '--history', join(dir, 'h.db'), '-o', 'json'], last.cli), last.err()).toBe(0);
    const again = JSON.parse(last.out()) as RunDiff;
    expect([again.previousRunId, again.regression, again.bySummary]).toEqual([oneId, true, true]);
    expect(again.regressionReasons[0]).toMatch(new RegExp(`^since run ${oneId} \\(unreadable; compared by its stored summary\\): critical findings 0 → 2, `));
    const text = captureIO(dir);
    expect(await main(['diff', '--last', '--history', join(dir, 'h.db')], text.cli), text.err()).toBe(0);
    expect(text.out()).toContain(`compared by the stored summary of run ${oneId} alone`);
    expect(text.out()).toContain('REGRESSION:');

    // The run after it is diffed against the run that alerted: the binding persists, no repeat.
    const three = await runWith(CLEAN + BACKDOOR, 'r3');
    expect(three.code, three.t.err()).toBe(0);
    expect(three.report!.diff!.regression).toBe(false);
  });
});

describe('a stored run that cannot be read (k8s://)', () => {
  const base = [ns('shop'), netpol('shop'), deployment('shop', 'api', false), clusterRole('reader', ['get'])];
  let clock = Date.parse('2026-11-20T02:00:00Z');
  function edgesOf(store: RunStore, objects: KubeObject[], warnings: string[]): PipelineEdges {
    return {
      collect: async () => snapshotOf(objects, { runId: 'x' }),
      store,
      diff: diffStep(defaultConfig().regression),
      render: async () => [],
      notifiers: [],
      log: { info: () => {}, warn: (line: string) => { warnings.push(line); }, progress: () => {} } as unknown as PipelineEdges['log'],
      now: () => new Date((clock += 60_000)),
    };
  }

  it('a run whose object holds a truncated gzip is passed over by the next run\'s diff, named in its diff and its warning; fleet leaves it out', async () => {
    const fake = new FakeConfigMaps();
    const open = () => openK8sStore('ztaudit', 'history', { api: fake.api('ztaudit'), retention: { maxRuns: 90, maxAgeDays: 0 }, now: () => new Date(clock) });
    const store = await open();
    const run = async (objects: KubeObject[], warnings: string[] = []) => (await runPipeline(defaultConfig(), FAKE_CHECKS, edgesOf(store, objects, warnings))).report;
    const a = await run(base);
    const b = await run(base);
    const index = JSON.parse(fake.objects.get('ztaudit/history')!.data!['index.json']!) as { runs: Array<{ id: string; objects: string[] }> };
    const part = fake.objects.get(`ztaudit/${index.runs.find((r) => r.id === b.run.id)!.objects[0]}`)!;
    part.binaryData!['run.json.gz.part'] = Buffer.from(part.binaryData!['run.json.gz.part']!, 'base64').subarray(0, 100).toString('base64');

    // The fleet of the store, as `fleet` reads it (k8s:// has no fleet query): the bad latest run is named, its cluster still listed.
    const named: string[] = [];
    const data = await fleetDataOf(store, { ...DEFAULT_FLEET_QUERY, now: new Date(clock) }, (error) => named.push(error.runId));
    expect(data.clusters.map((x) => x.latest.id)).toEqual([b.run.id]);
    expect(named).toEqual([b.run.id]);

    const warnings: string[] = [];
    const c = await run(base, warnings);
    expect(c.diff!.previousRunId).toBe(a.run.id);
    expect(c.diff!.unreadableRuns).toEqual([b.run.id]);
    expect(warnings).toEqual([`k8s://ztaudit/history: run ${b.run.id} is unreadable: unexpected end of file; passed over: this run is diffed against run ${a.run.id}`]);
    expect((await store.list(10)).map((r) => r.id)).toEqual([c.run.id, b.run.id, a.run.id]);

    // A part object deleted by hand is the same: that run is passed over, named.
    fake.objects.delete(`ztaudit/${index.runs.find((r) => r.id === a.run.id)!.objects[0]}`);
    const passed: string[] = [];
    const summaries: Array<string | undefined> = [];
    for await (const r of store.runsNewestFirst('demo', { onUnreadable: (error) => { passed.push(error.message); summaries.push((error.summary as RunSummary | undefined)?.id); } })) expect(r.run.id).toBe(c.run.id);
    // Their summaries, in the index, are still read: the next run compares with them (src/diff/diff.ts regressionSinceSummary).
    expect(summaries).toEqual([b.run.id, a.run.id]);
    expect(passed).toEqual([
      `k8s://ztaudit/history: run ${b.run.id} is unreadable: unexpected end of file`,
      `k8s://ztaudit/history: run ${a.run.id} is unreadable: its object ${index.runs.find((r) => r.id === a.run.id)!.objects[0]} is gone`,
    ]);
    await store.close();
  });

  it('a run whose object inflates to `{}` (a hand edit) is passed over, named, as a truncated one is', async () => {
    const fake = new FakeConfigMaps();
    const store = await openK8sStore('ztaudit', 'history', { api: fake.api('ztaudit'), retention: { maxRuns: 90, maxAgeDays: 0 }, now: () => new Date(clock) });
    const run = async (warnings: string[] = []) => (await runPipeline(defaultConfig(), FAKE_CHECKS, edgesOf(store, base, warnings))).report;
    const a = await run();
    const b = await run();
    const index = JSON.parse(fake.objects.get('ztaudit/history')!.data!['index.json']!) as { runs: Array<{ id: string; objects: string[] }> };
    fake.objects.get(`ztaudit/${index.runs.find((r) => r.id === b.run.id)!.objects[0]}`)!.binaryData!['run.json.gz.part'] = gzipSync('{}').toString('base64');
    const warnings: string[] = [];
    const c = await run(warnings);
    expect(c.diff!.previousRunId).toBe(a.run.id);
    expect(c.diff!.unreadableRuns).toEqual([b.run.id]);
    expect(warnings).toEqual([`k8s://ztaudit/history: run ${b.run.id} is unreadable: its report decodes to no run (not a compacted run: run, checks or findings missing); passed over: this run is diffed against run ${a.run.id}`]);
    await store.close();
  });

  it('an unreadable run older than the latest readable one is not what was last reported: no reason from its summary', async () => {
    const fake = new FakeConfigMaps();
    const store = await openK8sStore('ztaudit', 'history', { api: fake.api('ztaudit'), retention: { maxRuns: 90, maxAgeDays: 0 }, now: () => new Date(clock) });
    const run = async (objects: KubeObject[], coverage?: Record<string, 'forbidden'>) => (await runPipeline(defaultConfig(), FAKE_CHECKS, {
      ...edgesOf(store, objects, []), collect: async () => snapshotOf(objects, { runId: 'x', ...(coverage ? { coverage } : {}) }),
    })).report;
    const privileged = [ns('shop'), netpol('shop'), deployment('shop', 'api', true), clusterRole('reader', ['get'])];
    const a = await run(base); // clean
    const b = await run(privileged, { networkpolicies: 'forbidden' }); // the critical finding, alerted; blind to NetworkPolicies
    const index = JSON.parse(fake.objects.get('ztaudit/history')!.data!['index.json']!) as { runs: Array<{ id: string; objects: string[] }> };
    fake.objects.delete(`ztaudit/${index.runs.find((r) => r.id === a.run.id)!.objects[0]}`);
    // B is the latest and readable; the walk goes on past it (it was blind to the NetworkPolicy check) and meets A.
    const c = await run(privileged);
    expect(c.diff!.previousRunId).toBe(b.run.id);
    expect(c.diff!.unreadableRuns).toEqual([a.run.id]);
    expect(c.diff!.regressionReasons.filter((r) => r.includes('unreadable'))).toEqual([]);
    await store.close();
  });
});

/**
 * The k8s:// store keeps every run's summary in its index (ConfigMap NAME, key index.json, as
 * README "History" lays it out); one damaged by hand (`kubectl edit`) is what `history`, `fleet`,
 * the trend and the next run's walk and retention read. ConfigMap data values are any string
 * (https://kubernetes.io/docs/concepts/configuration/configmap/: "data ... UTF-8 strings"), so the
 * apiserver keeps whatever the edit left, and only ztaudit can tell it is no summary.
 */
describe('a stored run whose summary cannot be read (k8s://)', () => {
  let api: CoreApiServer;
  beforeEach(async () => { api = await startCoreApiServer(); });
  afterEach(() => api.close());
  const HIST = 'k8s://ztaudit/history';

  async function runK8s(cluster: string, out: string, extra: string[] = []) {
    const t = captureIO(dir, { KUBECONFIG: api.kubeconfig });
    const code = await main(['run', ...DEMO, '--cluster', cluster, '--history', HIST, '--out', join(dir, out), '--format', 'json', '--no-notify', ...extra], t.cli);
    const file = join(dir, out, 'report.json');
    return { code, t, report: existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as RunReport : null };
  }
  type Index = { runs: Array<{ id: string; objects: string[]; summary: unknown }> };
  /** `kubectl edit configmap history`: the run's summary in index.json replaced by `summary`. */
  function damageK8sSummary(id: string, summary: unknown): void {
    const cm = api.fake.objects.get('ztaudit/history')!;
    const index = JSON.parse(cm.data!['index.json']!) as Index;
    const entry = index.runs.find((r) => r.id === id)!;
    entry.summary = summary;
    cm.data!['index.json'] = JSON.stringify(index);
  }
  const named = (id: string, why: string) => `stored run ${id} in ${HIST} has an unreadable summary (ConfigMap ztaudit/history, key index.json): ${why}`;

  it('history lists it in its place as UNREADABLE with its start and cluster, fleet leaves it out, each names it on one line and exits 2; the next run is stored, diffed against it (its report reads)', async () => {
    const a = await runK8s('prod-a', 'a', ['-q']);
    const b1 = await runK8s('prod-b', 'b1', ['-q']);
    const b2 = await runK8s('prod-b', 'b2', ['-q']);
    expect([a.code, b1.code, b2.code]).toEqual([0, 0, 0]);
    damageK8sSummary(b2.report!.run.id, 'garbage');

    const t = captureIO(dir, { KUBECONFIG: api.kubeconfig });
    expect(await main(['history', '--history', HIST], t.cli), t.err()).toBe(2);
    const lines = t.out().trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(['RUN', b2.report!.run.id, b1.report!.run.id, a.report!.run.id]);
    const started = b2.report!.run.startedAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
    expect(lines[1]).toMatch(new RegExp(`^${b2.report!.run.id}  ${started}  prod-b  .* UNREADABLE$`));
    expect(t.errLines()).toEqual([`ztaudit history: warning: ${named(b2.report!.run.id, 'not a JSON object')}; listed as UNREADABLE`]);

    const f = captureIO(dir, { KUBECONFIG: api.kubeconfig });
    expect(await main(['fleet', '--history', HIST, '--format', 'json', '--out', 'f', '--no-notify', '-q'], f.cli), f.err()).toBe(2);
    const fleet = JSON.parse(readFileSync(join(dir, 'f/fleet.json'), 'utf8')) as { clusters: Array<{ cluster: string; runs: number; latest: { id: string } }> };
    expect(fleet.clusters.map((c) => [c.cluster, c.latest.id, c.runs])).toEqual([['prod-a', a.report!.run.id, 1], ['prod-b', b1.report!.run.id, 2]]);
    expect(f.errLines()).toEqual([`ztaudit fleet: warning: ${named(b2.report!.run.id, 'not a JSON object')}; left out of the fleet (its cluster is shown by its other runs)`]);

    // Valid JSON that is no summary (its blind list a number: what retention and the walk read) is the same.
    damageK8sSummary(b2.report!.run.id, { id: b2.report!.run.id, startedAt: b2.report!.run.startedAt, cluster: 'prod-b', score: { overall: 1, areas: {} }, findings: { critical: 0, high: 0, medium: 0, low: 0 }, waived: 0, regression: false, blind: 7 });
    const c = await runK8s('prod-b', 'c', ['-q']);
    expect(c.code, c.t.err()).toBe(0);
    expect(c.report!.diff!.previousRunId).toBe(b2.report!.run.id);
    expect(c.report!.diff!.unreadableRuns).toBeUndefined();
    const again = captureIO(dir, { KUBECONFIG: api.kubeconfig });
    expect(await main(['history', '--history', HIST, '-o', 'json'], again.cli)).toBe(2);
    expect((JSON.parse(again.out()) as RunSummary[]).map((r) => r.id)).toEqual([c.report!.run.id, b1.report!.run.id, a.report!.run.id]);
    expect(again.errLines()).toEqual([`ztaudit history: warning: ${named(b2.report!.run.id, 'its blind is not a list of check ids')}; listed as UNREADABLE`]);
  });

  it('history import names it and imports the rest, also after the store refused one run (403 creating its ConfigMap)', async () => {
    const s1 = await runDemo('prod-b', 's1', ['-q']);
    const s2 = await runDemo('prod-b', 's2', ['-q']);
    expect(await main(['history', 'export', '--history', join(dir, 'h.db'), '--file', 'src.jsonl'], captureIO(dir).cli)).toBe(0);
    const held = await runK8s('prod-a', 't1', ['-q']);
    damageK8sSummary(held.report!.run.id, 'garbage');
    // The Role forbids creating the first run object (an RBAC change mid-import); the next is allowed.
    let refusals = 0;
    api.refuse = (verb) => (verb === 'POST' && refusals++ === 0
      ? { code: 403, reason: 'Forbidden', message: 'configmaps is forbidden: User "system:serviceaccount:ztaudit:hist" cannot create resource "configmaps" in API group "" in the namespace "ztaudit"' }
      : null);
    const t = captureIO(dir, { KUBECONFIG: api.kubeconfig });
    expect(await main(['history', 'import', '--history', HIST, '--file', 'src.jsonl'], t.cli), t.err()).toBe(2);
    const lines = t.errLines();
    expect(lines[0]).toBe(`ztaudit history import: warning: ${named(held.report!.run.id, 'not a JSON object')}; passed over`);
    expect(lines[1]).toMatch(new RegExp(`^ztaudit history import: ${join(dir, 'src.jsonl')} line 2: run ${s1.report!.run.id} could not be stored: .*configmaps is forbidden.*; skipped$`));
    expect(lines.slice(2)).toEqual([`ztaudit history import: 1 run(s) imported into ${HIST}, 0 already there, 1 run(s) refused by the store`]);
    api.refuse = null;
    const listed = captureIO(dir, { KUBECONFIG: api.kubeconfig });
    await main(['history', '--history', HIST], listed.cli);
    expect(listed.out().trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0])).toEqual([s2.report!.run.id, held.report!.run.id]);
  });

  it('a damaged entry of the index\'s runs list (a null typed in by hand): history lists it as UNREADABLE, the next run, diff --last and export each name it once and go on; it stays in the index', async () => {
    const a = await runK8s('prod-b', 'a', ['-q']);
    const b = await runK8s('prod-b', 'b', ['-q']);
    expect([a.code, b.code]).toEqual([0, 0]);
    const cm = api.fake.objects.get('ztaudit/history')!;
    const edited = JSON.parse(cm.data!['index.json']!) as { runs: unknown[] };
    edited.runs.splice(1, 0, null);
    cm.data!['index.json'] = JSON.stringify(edited);
    const where = `${HIST}: entry runs[1] of the history index (ConfigMap ztaudit/history, key index.json) is not a stored run: not a JSON object; it is kept there as it is`;

    const t = captureIO(dir, { KUBECONFIG: api.kubeconfig });
    expect(await main(['history', '--history', HIST], t.cli), t.err()).toBe(2);
    const lines = t.out().trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(['RUN', b.report!.run.id, 'runs[1]', a.report!.run.id]);
    expect(lines[2]).toMatch(/^runs\[1\] +\? +\? .* UNREADABLE$/);
    expect(t.errLines()).toEqual([`ztaudit history: warning: ${where}; listed as UNREADABLE`]);

    const c = await runK8s('prod-b', 'c');
    expect(c.code, c.t.err()).toBe(0);
    expect(c.report!.diff!.previousRunId).toBe(b.report!.run.id);
    const warned = c.t.errLines().map((l) => JSON.parse(l) as { level: string; msg: string }).filter((l) => l.level === 'warn').map((l) => l.msg);
    expect(warned).toEqual([`${where}; passed over`]);
    const runs = (JSON.parse(api.fake.objects.get('ztaudit/history')!.data!['index.json']!) as { runs: Array<{ id: string } | null> }).runs;
    expect(runs.map((r) => r && r.id)).toEqual([a.report!.run.id, null, b.report!.run.id, c.report!.run.id]);

    const d = captureIO(dir, { KUBECONFIG: api.kubeconfig });
    expect(await main(['diff', '--last', '--history', HIST], d.cli), d.err()).toBe(0);
    expect(d.errLines()).toEqual([`ztaudit diff: warning: ${where}; passed over`]);

    const e = captureIO(dir, { KUBECONFIG: api.kubeconfig });
    expect(await main(['history', 'export', '--history', HIST, '--file', 'k.jsonl'], e.cli)).toBe(2);
    expect(readFileSync(join(dir, 'k.jsonl'), 'utf8').trim().split('\n').slice(1).map((l) => (JSON.parse(l) as RunReport).run.id)).toEqual([a, b, c].map((r) => r.report!.run.id));
    expect(e.errLines()).toEqual([`ztaudit history export: ${where}; skipped`, `ztaudit history export: 3 run(s) from ${HIST}; 1 unreadable run(s) skipped`]);
  });

  it('with its report unreadable too, the next run passes over it, named, and is diffed against the run before', async () => {
    const a = await runK8s('prod-b', 'a', ['-q']);
    const b = await runK8s('prod-b', 'b', ['-q']);
    damageK8sSummary(b.report!.run.id, null);
    const index = JSON.parse(api.fake.objects.get('ztaudit/history')!.data!['index.json']!) as Index;
    api.fake.objects.delete(`ztaudit/${index.runs.find((r) => r.id === b.report!.run.id)!.objects[0]}`);
    const c = await runK8s('prod-b', 'c');
    expect(c.code, c.t.err()).toBe(0);
    expect(c.report!.diff!.previousRunId).toBe(a.report!.run.id);
    expect(c.report!.diff!.unreadableRuns).toEqual([b.report!.run.id]);
    expect(c.report!.diff!.regressionReasons).toEqual([]); // no summary to compare with
  });
});

describe('what the store keeps of a run apart from its unreadable summary (SQLite)', () => {
  async function runInto(db: string, cluster: string, out: string) {
    const t = captureIO(dir);
    const code = await main(['run', ...DEMO, '--cluster', cluster, '--history', join(dir, db), '--out', join(dir, out), '--format', 'json', '--no-notify', '-q'], t.cli);
    expect(code, t.err()).toBe(0);
    return JSON.parse(readFileSync(join(dir, out, 'report.json'), 'utf8')) as RunReport;
  }

  it('history shows the UNREADABLE run\'s start time and cluster, from the runs table\'s own columns', async () => {
    const a = await runInto('h.db', 'prod-a', 'a');
    const b = await runInto('h.db', 'prod-b', 'b');
    damageSummary(join(dir, 'h.db'), b.run.id, 'garbage');
    const t = captureIO(dir);
    expect(await main(['history', '--history', join(dir, 'h.db')], t.cli)).toBe(2);
    const lines = t.out().trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/).slice(0, 4))).toEqual([
      ['RUN', 'STARTED', '(UTC)', 'CLUSTER'],
      [b.run.id, ...b.run.startedAt.replace(/\.\d+Z$|Z$/, '').split('T'), 'prod-b'],
      [a.run.id, ...a.run.startedAt.replace(/\.\d+Z$|Z$/, '').split('T'), 'prod-a'],
    ]);
    expect(lines[1]).toMatch(/ UNREADABLE$/);
  });

  it('history import into a store holding such a run names it, passes over it and imports the rest; that run still guards its cluster against older runs', async () => {
    const older = await runInto('src.db', 'prod-a', 's0'); // before the target's prod-a run
    const held = await runInto('t.db', 'prod-a', 't1');
    const s1 = await runInto('src.db', 'prod-b', 's1');
    const s2 = await runInto('src.db', 'prod-b', 's2');
    damageSummary(join(dir, 't.db'), held.run.id, 'garbage');
    expect(await main(['history', 'export', '--history', join(dir, 'src.db'), '--file', 'src.jsonl'], captureIO(dir).cli)).toBe(0);

    const t = captureIO(dir);
    expect(await main(['history', 'import', '--history', join(dir, 't.db'), '--file', 'src.jsonl'], t.cli), t.err()).toBe(2);
    expect(t.errLines()).toEqual([
      `ztaudit history import: warning: stored run ${held.run.id} in ${join(dir, 't.db')} has an unreadable summary (runs.summary): not JSON (Unexpected token 'g', "garbage" is not valid JSON); passed over`,
      `ztaudit history import: ${join(dir, 'src.jsonl')} line 2: run ${older.run.id} of cluster "prod-a" started ${older.run.startedAt}, before the cluster's newest run in ${join(dir, 't.db')}, ${held.run.id} (started ${held.run.startedAt}): stored now, it would become the cluster's latest run; skipped (import into a new store before pointing scheduled runs at it)`,
      `ztaudit history import: 2 run(s) imported into ${join(dir, 't.db')}, 0 already there, 1 run(s) older than their cluster's newest stored run skipped`,
    ]);
    const listed = captureIO(dir);
    await main(['history', '--history', join(dir, 't.db')], listed.cli);
    expect(listed.out().trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0])).toEqual([s2.run.id, s1.run.id, held.run.id]);
  });
});
