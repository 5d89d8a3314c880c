import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diffCommand } from '../../../src/cli/diff.ts';
import { main } from '../../../src/cli/main.ts';
import { historyCommand } from '../../../src/cli/history.ts';
import type { CliIO } from '../../../src/cli/io.ts';
import { reportCommand } from '../../../src/cli/report.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { openRunStore } from '../../../src/history/store.ts';
import { auditObjects, clusterRole, deployment, netpol, ns } from '../diff/fake-checks.ts';
import { startFakeSlack } from '../notify/slack-server.ts';

let dir: string;
let out: string;
let err: string;
const io = (): CliIO => ({ stdout: (t) => { out += t; }, stderr: (t) => { err += t; }, env: {}, isTTY: false, cwd: dir });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ztaudit-cli-'));
  out = '';
  err = '';
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function seed() {
  const a = auditObjects([ns('shop'), ns('web'), netpol('web'), deployment('shop', 'api', true), deployment('web', 'frontend', false), clusterRole('ci', ['*'])], { runId: '20261120T020000Z-aaaaaa', now: new Date('2026-11-20T02:00:00Z') });
  const b = auditObjects([ns('shop'), ns('web'), netpol('shop'), deployment('shop', 'api', false), deployment('web', 'frontend', true), clusterRole('ci', ['*'])], { runId: '20261121T020000Z-bbbbbb', now: new Date('2026-11-21T02:00:00Z') });
  b.report.diff = diffRuns(a.report, b.report, { rules: defaultConfig().regression, expiredWaivers: b.expiredWaivers });
  const store = await openRunStore('.ztaudit/history.db', { cwd: dir });
  await store.save(a.report);
  await store.save(b.report);
  await store.close();
  return { a: a.report, b: b.report };
}

describe('ztaudit history', () => {
  it('lists stored runs with scores, newest first', async () => {
    await seed();
    expect(await historyCommand([], io())).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^RUN\s+STARTED \(UTC\)\s+CLUSTER\s+OVERALL\s+NET\s+TLS\s+RBAC\s+PSS\s+MTLS\s+CRIT\s+HIGH\s+MED\s+LOW\s+WAIVED\s+CHANGE$/);
    expect(lines[1]).toMatch(/^20261121T020000Z-bbbbbb\s+2026-11-21 02:00:00\s+demo\s+\d+\.\d.*REGRESSION$/);
    expect(lines[2]).toMatch(/^20261120T020000Z-aaaaaa\s+.*first$/);
    expect(lines).toHaveLength(3);
  });

  it('--output json and --limit', async () => {
    const { b } = await seed();
    expect(await historyCommand(['--limit', '1', '--output', 'json'], io())).toBe(0);
    const runs = JSON.parse(out);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ id: b.run.id, score: b.score, regression: true, findings: { critical: 1, high: 1 } });
  });

  it('a partial run is listed partial — a first run too — in the table and in JSON, and so is one a summary of an older version stored as not partial; a complete run compared in part is not', async () => {
    // README: a kind that cannot be read makes the run partial … and every output says so; not a
    // complete run whose diff compared part of the checks (its scores cover everything).
    const objects = [ns('shop'), netpol('shop'), deployment('shop', 'api', false), clusterRole('ci', ['get'])];
    const at = (day: number) => ({ runId: `202611${day}T020000Z-${String(day).repeat(3)}`, now: new Date(`2026-11-${day}T02:00:00Z`) });
    const first = auditObjects(objects, { ...at(20), coverage: { clusterroles: 'error' } });
    // Compared in part: the RBAC check had no earlier evaluation (RunDiff.partial).
    const second = auditObjects(objects, at(21));
    second.report.diff = diffRuns(first.report, second.report, { rules: defaultConfig().regression, expiredWaivers: [] });
    const full = auditObjects(objects, at(22));
    full.report.diff = diffRuns(second.report, full.report, { rules: defaultConfig().regression, expiredWaivers: [] });
    const blind = auditObjects(objects, { ...at(23), coverage: { clusterroles: 'forbidden' } });
    blind.report.diff = diffRuns(full.report, blind.report, { rules: defaultConfig().regression, expiredWaivers: [] });
    expect(first.report.run.partial).toEqual(['clusterroles could not be read (error: list clusterroles)']);
    expect(second.report.diff.partial).toBe(true);
    const store = await openRunStore('.ztaudit/history.db', { cwd: dir });
    for (const run of [first, second, full, blind]) await store.save(run.report);
    await store.close();

    expect(await historyCommand([], io())).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[1]).toMatch(/^20261123T020000Z-232323 .* (ok|REGRESSION) \(partial\)$/);
    expect(lines[2]).toMatch(/^20261122T020000Z-222222 .* ok$/);
    expect(lines[3]).toMatch(/^20261121T020000Z-212121 .* ok$/);
    expect(lines[4]).toMatch(/^20261120T020000Z-202020 .* first \(partial\)$/);
    out = '';
    expect(await historyCommand(['--output', 'json'], io())).toBe(0);
    expect(JSON.parse(out).map((r: { partial: boolean }) => r.partial)).toEqual([true, false, false, true]);

    // As an older ztaudit stored them: partial from the diff alone, no gaps count. Judged by the
    // checks they list as not judged: the complete run compared in part is not partial.
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(join(dir, '.ztaudit/history.db'));
    db.prepare(`UPDATE runs SET summary = json_remove(json_set(summary, '$.partial', json(CASE WHEN id LIKE '%212121' THEN 'true' ELSE 'false' END)), '$.gaps')`).run();
    db.close();
    out = '';
    expect(await historyCommand(['--output', 'json'], io())).toBe(0);
    expect(JSON.parse(out).map((r: { partial: boolean }) => r.partial)).toEqual([true, false, false, true]);
  });

  it('an empty history says so and creates nothing', async () => {
    expect(await historyCommand([], io())).toBe(0);
    expect(out).toMatch(/^No runs stored in .*history\.db\.$/m);
    expect(existsSync(join(dir, '.ztaudit'))).toBe(false);
  });

  it('a corrupt history database: one line on stderr, exit 2, the file untouched', async () => {
    writeFileSync(join(dir, 'h.db'), Buffer.alloc(8192, 7));
    const before = createHash('sha256').update(readFileSync(join(dir, 'h.db'))).digest('hex');
    expect(await historyCommand(['--history', 'h.db'], io())).toBe(2);
    expect(err).toMatch(/^ztaudit history: history database .*h\.db cannot be used: .*left untouched.*\n$/);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(createHash('sha256').update(readFileSync(join(dir, 'h.db'))).digest('hex')).toBe(before);
    expect(readdirSync(dir)).toEqual(['h.db']);
  });

  it('bad flags exit 2', async () => {
    expect(await historyCommand(['--limit', 'zero'], io())).toBe(2);
    expect(err).toMatch(/--limit zero/);
    expect(await historyCommand(['--history', 'none'], io())).toBe(2);
  });

  it('a history URL with a password that is not percent-encoded is refused without showing any of it', async () => {
    const hint = '(postgres://USER@HOST:PORT/DATABASE?sslmode=verify-full)';
    for (const [url, line] of [
      // Unencoded '/', '?' or '#' in the password: not a URL at all, so it cannot be parsed apart.
      ['postgres://ztaudit:s3cr/et@db.internal/ztaudit', `--history postgres://db.internal/ztaudit: not a valid URL ${hint}`],
      ['postgres://ztaudit:s3cr?et@db.internal/ztaudit', `--history postgres://db.internal/ztaudit: not a valid URL ${hint}`],
      ['postgres://ztaudit:s3cr#et@db.internal/ztaudit', `--history postgres://db.internal/ztaudit: not a valid URL ${hint}`],
      ['postgres://ztaudit:p@s:s/w?r#d@db.internal/ztaudit', `--history postgres://db.internal/ztaudit: not a valid URL ${hint}`],
      // Digits before the '/': a port and a path, refused later on.
      ['postgres://ztaudit:4711/s3cret@db.internal/ztaudit', '--history postgres://db.internal/ztaudit: name one database (postgres://USER@HOST:PORT/DATABASE)'],
      // '@' and ':' parse: refused for another reason, still without them.
      ['postgres://ztaudit:p@ss:w0rd@db.internal/ztaudit?sslmode=bogus', '--history postgres://db.internal/ztaudit?sslmode=bogus: sslmode=bogus is not one of disable, allow, prefer, require, verify-ca, verify-full'],
      ['s3://key:se/cr@t@bucket/x', '--history s3://bucket/x: unknown scheme; use a file path, k8s://NAMESPACE/NAME, postgres://USER@HOST/DB or none'],
    ]) {
      err = '';
      expect(await historyCommand(['--history', url], io())).toBe(2);
      expect(err).toBe(`ztaudit history: ${line}\n`);
    }
  });

  // `sqlite:PATH` names the file PATH, as PHP's PDO DSN does (php.net/manual/en/ref.pdo-sqlite.connection.php,
  // "sqlite:/opt/databases/mydb.sq3") and dbmate's DATABASE_URL; taken as a path it made a
  // directory literally named "sqlite:OUT". `sqlite://…` is refused: tools disagree on its slashes.
  it('--history sqlite:PATH opens the SQLite file PATH (relative to the working directory); sqlite://… and sqlite::memory: are refused in one line', async () => {
    await seed();
    expect(await historyCommand(['--history', `sqlite:${join(dir, '.ztaudit', 'history.db')}`], io())).toBe(0);
    expect(out).toContain('20261121T020000Z-bbbbbb');
    out = '';
    expect(await historyCommand(['--history', 'sqlite:.ztaudit/history.db'], io())).toBe(0);
    expect(out).toContain('20261121T020000Z-bbbbbb');
    expect(existsSync(join(dir, 'sqlite:.ztaudit'))).toBe(false);
    for (const [url, line] of [
      ['sqlite:///tmp/h.db', '--history sqlite:///tmp/h.db: sqlite://… is ambiguous (tools read its slashes differently); give the file as sqlite:PATH or a plain path (sqlite:./h.db, /var/lib/ztaudit/h.db)'],
      ['sqlite::memory:', '--history sqlite::memory:: name the SQLite file (sqlite:PATH or a plain path); an in-memory database keeps no runs, use --history none for that'],
    ]) {
      err = '';
      expect(await historyCommand(['--history', url], io())).toBe(2);
      expect(err).toBe(`ztaudit history: ${line}\n`);
    }
  });

  it('reads ZTAUDIT_HISTORY when --history is not given', async () => {
    await seed();
    const withEnv = { ...io(), env: { ZTAUDIT_HISTORY: join(dir, 'elsewhere.db') } };
    expect(await historyCommand([], withEnv)).toBe(0);
    expect(out).toMatch(/No runs stored in .*elsewhere\.db/);
  });
});

describe('ztaudit diff', () => {
  it('--last compares the two newest runs of the cluster', async () => {
    await seed();
    expect(await diffCommand(['--last'], io())).toBe(0);
    expect(out).toContain('20261120T020000Z-aaaaaa (2026-11-20T02:00:00.000Z) → 20261121T020000Z-bbbbbb');
    expect(out).toMatch(/new findings: 2\n {2}\+ critical pod-security\.fake-privileged on Deployment web\/frontend\n {2}\+ high {5}network\.fake-default-deny on Namespace web\n/);
    expect(out).toMatch(/resolved findings: 2\n/);
    expect(out).toMatch(/persisting findings: 1\n/);
    expect(out).toContain('REGRESSION:\n  - new critical finding: pod-security.fake-privileged on Deployment web/frontend');
  });

  it('--last agrees with the run: a check a partial run could not evaluate is compared with the last run that did', async () => {
    const objects = [ns('shop'), netpol('shop'), deployment('shop', 'api', false), clusterRole('ci', ['get'])];
    const full = auditObjects(objects, { runId: '20261120T020000Z-aaaaaa', now: new Date('2026-11-20T02:00:00Z') });
    const partial = auditObjects(objects, { runId: '20261121T020000Z-bbbbbb', now: new Date('2026-11-21T02:00:00Z'), coverage: { clusterroles: 'forbidden' } });
    const backdoor = auditObjects([...objects, clusterRole('backdoor', ['*'])], { runId: '20261122T020000Z-cccccc', now: new Date('2026-11-22T02:00:00Z') });
    const store = await openRunStore('.ztaudit/history.db', { cwd: dir });
    for (const run of [full, partial, backdoor]) await store.save(run.report);
    await store.close();

    expect(await diffCommand(['--last'], io())).toBe(0);
    expect(out).toContain('20261121T020000Z-bbbbbb (2026-11-21T02:00:00.000Z) → 20261122T020000Z-cccccc');
    expect(out).toMatch(/new findings: 1\n {2}\+ medium {3}rbac\.fake-wildcard on ClusterRole backdoor\n/);
    expect(out).toContain('compared with an older run (not evaluated in 20261121T020000Z-bbbbbb): rbac.fake-wildcard (20261120T020000Z-aaaaaa)');
    out = '';
    expect(await diffCommand(['--last', '--output', 'json'], io())).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ olderBaselines: { 'rbac.fake-wildcard': '20261120T020000Z-aaaaaa' }, notComparable: [] });
  });

  it('RUN_A RUN_B across a blind stretch: each check of B is compared with the last run up to A that evaluated it, as --last does', async () => {
    // DESIGN.md: a check is diffed against the last run in which it was evaluated; README: the
    // diff walks back to it however many partial runs came in between.
    const objects = [ns('shop'), netpol('shop'), deployment('shop', 'api', false), clusterRole('ci', ['get'])];
    const withBackdoor = [...objects, clusterRole('backdoor', ['*'])];
    const full = auditObjects(objects, { runId: '20261120T020000Z-aaaaaa', now: new Date('2026-11-20T02:00:00Z') });
    const blind = auditObjects(objects, { runId: '20261121T020000Z-bbbbbb', now: new Date('2026-11-21T02:00:00Z'), coverage: { clusterroles: 'error' } });
    const blindBackdoor = auditObjects(withBackdoor, { runId: '20261122T020000Z-cccccc', now: new Date('2026-11-22T02:00:00Z'), coverage: { clusterroles: 'error' } });
    const seen = auditObjects(withBackdoor, { runId: '20261123T020000Z-dddddd', now: new Date('2026-11-23T02:00:00Z') });
    const store = await openRunStore('.ztaudit/history.db', { cwd: dir });
    for (const run of [full, blind, blindBackdoor, seen]) await store.save(run.report);
    await store.close();

    expect(await diffCommand(['20261122', '20261123'], io())).toBe(0);
    expect(out).toContain('20261122T020000Z-cccccc (2026-11-22T02:00:00.000Z) → 20261123T020000Z-dddddd');
    expect(out).toMatch(/new findings: 1\n {2}\+ medium {3}rbac\.fake-wildcard on ClusterRole backdoor\n/);
    expect(out).toContain('compared with an older run (not evaluated in 20261122T020000Z-cccccc): rbac.fake-wildcard (20261120T020000Z-aaaaaa)');
    expect(out).not.toContain('partial comparison');
    const text = out;
    out = '';
    expect(await diffCommand(['--last'], io())).toBe(0);
    expect(out).toBe(text);
    out = '';
    expect(await diffCommand(['20261122', '20261123', '--output', 'json'], io())).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ olderBaselines: { 'rbac.fake-wildcard': '20261120T020000Z-aaaaaa' }, notComparable: [], partial: false });
    // A later run blind again: what it could not see is not resolved.
    out = '';
    expect(await diffCommand(['20261120', '20261122', '--output', 'json'], io())).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ resolved: [], new: [] });
  });

  it('--last shows the alerts the run carried because no channel delivered them, and the checks evaluated for the first time, each on its lines', async () => {
    const a = auditObjects([ns('shop'), netpol('shop'), deployment('shop', 'api', false), clusterRole('ci', ['get'])], { runId: '20261120T020000Z-aaaaaa', now: new Date('2026-11-20T02:00:00Z') });
    // The RBAC check could not apply to the first run: the second one is the first to judge it.
    const wildcard = a.report.checks.find((c) => c.id === 'rbac.fake-wildcard')!;
    Object.assign(wildcard, { status: 'not-applicable', evaluated: 0, passed: 0, failed: 0 });
    const b = auditObjects([ns('shop'), netpol('shop'), deployment('shop', 'api', false), clusterRole('ci', ['*']), clusterRole('ops', ['*'])], { runId: '20261121T020000Z-bbbbbb', now: new Date('2026-11-21T02:00:00Z') });
    b.report.diff = diffRuns(a.report, b.report, { rules: defaultConfig().regression, expiredWaivers: [] });
    const reason = 'new critical finding: rbac.cluster-admin-binding on ClusterRoleBinding \u202eevil\nFORGED LINE';
    b.report.diff.undelivered = [{ runId: '20261119T020000Z-zzzzzz', reasons: [reason] }];
    const store = await openRunStore('.ztaudit/history.db', { cwd: dir });
    await store.save(a.report);
    await store.save(b.report);
    await store.close();

    expect(await diffCommand(['--last'], io())).toBe(0);
    expect(out).toContain('Compared with nothing: evaluated for the first time in this history — all 2 of their findings are new: rbac.fake-wildcard.\n');
    expect(out).toContain('NOT DELIVERED after run 20261119T020000Z-zzzzzz (no channel delivered its alert; run 20261121T020000Z-bbbbbb carries it):\n'
      + '  - new critical finding: rbac.cluster-admin-binding on ClusterRoleBinding \\u202eevil\\u000aFORGED LINE\n');
    expect(out).not.toMatch(/^FORGED LINE/m);
    out = '';
    expect(await diffCommand(['--last', '--output', 'json'], io())).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ firstEvaluated: ['rbac.fake-wildcard'], undelivered: b.report.diff.undelivered });
    // Another pair of runs is not the comparison that carried them.
    const c = auditObjects([ns('shop')], { runId: '20261122T020000Z-cccccc', now: new Date('2026-11-22T02:00:00Z') });
    c.report.diff = diffRuns(b.report, c.report, { rules: defaultConfig().regression, expiredWaivers: [] });
    c.report.diff.undelivered = [{ runId: b.report.run.id, reasons: ['something'] }];
    const again = await openRunStore('.ztaudit/history.db', { cwd: dir });
    await again.save(c.report);
    await again.close();
    out = '';
    expect(await diffCommand(['20261120', '20261122'], io())).toBe(0);
    expect(out).not.toContain('NOT DELIVERED');
  });

  it('RUN_A RUN_B by unique prefix, as JSON', async () => {
    const { a, b } = await seed();
    expect(await diffCommand(['20261120', '20261121', '--output', 'json'], io())).toBe(0);
    expect(JSON.parse(out)).toEqual(diffRuns(a, b, { rules: defaultConfig().regression, expiredWaivers: [] }));
  });

  it('RUN_A RUN_B warns (one line each) when A started after B or the clusters differ, and still compares', async () => {
    await seed();
    const other = auditObjects([ns('shop')], { runId: '20261122T020000Z-cccccc', now: new Date('2026-11-22T02:00:00Z'), cluster: 'prod-eu' });
    const store = await openRunStore('.ztaudit/history.db', { cwd: dir });
    await store.save(other.report);
    await store.close();
    expect(await diffCommand(['20261120', '20261121'], io())).toBe(0);
    expect(err).toBe('');
    expect(await diffCommand(['20261121', '20261120'], io())).toBe(0);
    expect(err).toBe('ztaudit diff: warning: RUN_A 20261121T020000Z-bbbbbb started after RUN_B 20261120T020000Z-aaaaaa: new and resolved are swapped; give the earlier run first\n');
    err = '';
    expect(await diffCommand(['20261121', '20261122'], io())).toBe(0);
    expect(err).toBe('ztaudit diff: warning: the runs are of different clusters ("demo" and "prod-eu"): their findings are not the same objects\n');
    expect(out).toContain('20261121T020000Z-bbbbbb (2026-11-21T02:00:00.000Z) → 20261122T020000Z-cccccc');
  });

  it('uses the regression rules of --config', async () => {
    await seed();
    writeFileSync(join(dir, 'z.yaml'), 'regression:\n  newFindingSeverity: none\n  areaScoreDrop: 100\n');
    expect(await diffCommand(['--last', '--config', 'z.yaml', '--output', 'json'], io())).toBe(0);
    expect(JSON.parse(out).regression).toBe(false);
  });

  it('unknown runs and too few runs exit 2 with one line', async () => {
    await seed();
    expect(await diffCommand(['nope', '2026'], io())).toBe(2);
    expect(err).toMatch(/^ztaudit diff: no run "nope" in /);
    err = '';
    expect(await diffCommand(['2026', '20261121'], io())).toBe(2);
    expect(err).toMatch(/ambiguous/);
    err = '';
    expect(await diffCommand(['--last', '--history', join(dir, 'empty.db')], io())).toBe(2);
    expect(err).toMatch(/no runs stored/);
  });
});

describe('ztaudit report', () => {
  it('renders a stored run again', async () => {
    const { b } = await seed();
    expect(await reportCommand(['20261121T020000Z-bbbbbb', '--out', 'again', '--format', 'json,md'], io())).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'again', 'report.json'), 'utf8'))).toEqual(b);
    expect(existsSync(join(dir, 'again', 'report.md'))).toBe(true);
    expect(out).toContain(join(dir, 'again', 'report.json'));
  });

  it('refuses a run that is not a run id by name, escaped on one line', async () => {
    await seed();
    expect(await reportCommand(['2026\n# x', '--out', 'r', '--format', 'json'], io())).toBe(2);
    expect(err).toContain('run "2026\\u000a# x" is not a run id nor the start of one');
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(dir, 'r'))).toBe(false);
  });

  it('"latest" renders the newest run', async () => {
    const { b } = await seed();
    expect(await reportCommand(['latest', '--out', 'r', '--format', 'json'], io())).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'r', 'report.json'), 'utf8')).run.id).toBe(b.run.id);
  });
});

// `fleet --help`: exit 2 when "the store … could not be read"; DESIGN: missing data is not a fix. A
// store no audit wrote to is not a fleet with nothing wrong: a central CronJob with a typo in
// --history (or the default path read from the wrong directory) must fail, not report all clear.
describe('ztaudit fleet over a store that holds no run', () => {
  it('a SQLite file that does not exist: exit 2, one line naming it, no report written, the file not created', async () => {
    expect(await main(['fleet', '--history', 'missing.db', '--out', 'f', '--no-notify'], io())).toBe(2);
    expect(err).toBe(`ztaudit fleet: history database ${join(dir, 'missing.db')} does not exist: no fleet report written (check --history or ZTAUDIT_HISTORY; a relative path, as the default ./.ztaudit/history.db, is read from the working directory ${dir})\n`);
    expect(out).toBe('');
    expect(existsSync(join(dir, 'f', 'fleet.json'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    // `history` over the same path still just says there is nothing (exit 0), as before.
    expect(await historyCommand(['--history', 'missing.db'], io())).toBe(0);
    expect(out).toMatch(/^No runs stored in .*missing\.db\.$/m);
  });

  it('the default ./.ztaudit/history.db from a directory without it is refused the same way', async () => {
    expect(await main(['fleet', '--out', 'f', '--no-notify', '-q'], io())).toBe(2);
    expect(err).toMatch(new RegExp(`^ztaudit fleet: history database ${join(dir, '.ztaudit', 'history.db').replace(/[.\\/]/g, '\\$&')} does not exist: .*\\n$`));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('with --notify and Slack configured: exit 2 on the missing file (before: "slack digest skipped", exit 0), nothing sent', async () => {
    const slack = await startFakeSlack();
    try {
      const env = { ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_CHANNEL: 'C0FLEET', ZTAUDIT_SLACK_API_URL: slack.apiUrl };
      expect(await main(['fleet', '--history', 'typo.db', '--out', 'f', '--notify', '-q'], { ...io(), env })).toBe(2);
      expect(err).toMatch(/^ztaudit fleet: history database .*typo\.db does not exist: no fleet report written .*\n$/);
      expect(slack.calls).toEqual([]);
    } finally {
      await slack.close();
    }
  });

  it('an existing store no run was ever stored in (created, then left empty) is refused too: exit 2, "holds no runs"', async () => {
    const empty = await openRunStore('empty.db', { cwd: dir });
    await empty.close();
    expect(await main(['fleet', '--history', 'empty.db', '--format', 'json', '--out', 'f', '--no-notify'], io())).toBe(2);
    expect(err).toBe(`ztaudit fleet: ${join(dir, 'empty.db')} holds no runs: no fleet report written (point --history at the store the audits write to; ztaudit history lists what a store holds)\n`);
    expect(existsSync(join(dir, 'f'))).toBe(false);
  });

  it('once a run is stored, the same store gives a fleet report (exit 0)', async () => {
    await seed();
    expect(await main(['fleet', '--format', 'json', '--out', 'f', '--no-notify', '-q'], io())).toBe(0);
    expect(err).toBe('');
    expect(JSON.parse(readFileSync(join(dir, 'f', 'fleet.json'), 'utf8')).clusters.map((c: { cluster: string }) => c.cluster)).toEqual(['demo']);
  });
});
