// `ztaudit history export | import` beyond the round trip (test/unit/fleet/fleet.test.ts): an
// import stores a file's runs in its order (the source's insertion order, whatever their
// startedAt) and never a run older than its cluster's newest
// stored run (stores go by insertion order: it would become that cluster's latest run), from
// a file, a pipe or standard input; a finding the stores cannot keep and a run a store refuses
// are each named, the rest imported; and no run's line is ever one string.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { exportRuns, importRuns } from '../../../src/cli/history-transfer.ts';
import { main } from '../../../src/cli/main.ts';
import { HistoryError } from '../../../src/base/errors.ts';
import { openRunStore, type RunStore } from '../../../src/history/store.ts';
import type { Finding, RunReport } from '../../../src/run/types.ts';
import { captureIO } from '../../helpers/cli.ts';
import { fleetRun } from '../fleet/seed.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ztaudit-transfer-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = JSON.stringify({ format: 'ztaudit-history-export', version: 1 });
const exportOf = (...runs: unknown[]) => [HEADER, ...runs.map((r) => JSON.stringify(r))].join('\n') + '\n';
const run = (cluster: string, id: string, day: string) => fleetRun(cluster, id, `2026-${day}T02:00:00.000Z`, 70);

async function seed(db: string, ...runs: RunReport[]): Promise<void> {
  const store = await openRunStore(db);
  for (const r of runs) await store.save(r);
  await store.close();
}

/** The ids a store holds, newest first by insertion (what latest(), the trend and retention go by). */
async function stored(db: string, cluster?: string): Promise<string[]> {
  const store = await openRunStore(db, { readOnly: true });
  try {
    const ids: string[] = [];
    for await (const r of store.runsNewestFirst(cluster)) ids.push(r.run.id);
    return ids;
  } finally {
    await store.close();
  }
}

describe('history import: the order of runs', () => {
  it('stores a file\'s runs in the file\'s order, whatever their startedAt', async () => {
    writeFileSync(join(dir, 'runs.jsonl'), exportOf(run('prod', 'oct03', '10-03'), run('prod', 'oct01', '10-01'), run('prod', 'oct02', '10-02')));
    const t = captureIO(dir);
    expect(await main(['history', 'import', '--history', 'h.db', '--file', 'runs.jsonl'], t.cli)).toBe(0);
    expect(t.errLines()).toEqual([`ztaudit history import: 3 run(s) imported into ${join(dir, 'h.db')}, 0 already there`]);
    expect(await stored(join(dir, 'h.db'))).toEqual(['oct02', 'oct01', 'oct03']);
  });

  it('a round trip keeps the order runs were stored in: a run whose clock was ahead does not become the latest', async () => {
    const src = join(dir, 'src.db');
    // The clock was a month ahead for the second run, then corrected.
    await seed(src, run('prod', 'oct01', '10-01'), run('prod', 'ahead', '11-02'), run('prod', 'oct03', '10-03'));
    expect(await main(['history', 'export', '--history', 'src.db', '--file', 'runs.jsonl'], captureIO(dir).cli)).toBe(0);
    const t = captureIO(dir);
    expect(await main(['history', 'import', '--history', 'copy.db', '--file', 'runs.jsonl'], t.cli)).toBe(0);
    expect(t.errLines()).toEqual([`ztaudit history import: 3 run(s) imported into ${join(dir, 'copy.db')}, 0 already there`]);
    const history = async (db: string) => { const h = captureIO(dir); expect(await main(['history', '--history', db], h.cli)).toBe(0); return h.out(); };
    expect(await history('copy.db')).toEqual(await history('src.db'));
    expect(await stored(join(dir, 'copy.db'))).toEqual(['oct03', 'ahead', 'oct01']);
    const copy = await openRunStore(join(dir, 'copy.db'), { readOnly: true });
    expect((await copy.latest('prod'))?.run.id).toBe('oct03');
    await copy.close();
  });

  it('names and skips a run older than its cluster\'s newest stored run; newer runs and other clusters import; exit 2', async () => {
    const db = join(dir, 'h.db');
    await seed(db, run('prod', 'nov10', '11-10'));
    writeFileSync(join(dir, 'old.jsonl'), exportOf(run('prod', 'oct01', '10-01'), run('staging', 'st-oct01', '10-01'), run('prod', 'nov11', '11-11'), run('prod', 'oct02', '10-02')));
    const t = captureIO(dir);
    expect(await main(['history', 'import', '--history', 'h.db', '--file', 'old.jsonl'], t.cli)).toBe(2);
    const before = (line: number, id: string, day: string) =>
      `ztaudit history import: ${join(dir, 'old.jsonl')} line ${line}: run ${id} of cluster "prod" started 2026-${day}T02:00:00.000Z, before the cluster's newest run in ${db}, nov10 (started 2026-11-10T02:00:00.000Z): stored now, it would become the cluster's latest run; skipped (import into a new store before pointing scheduled runs at it)`;
    expect(t.errLines()).toEqual([
      before(2, 'oct01', '10-01'),
      before(5, 'oct02', '10-02'),
      `ztaudit history import: 2 run(s) imported into ${db}, 0 already there, 2 run(s) older than their cluster's newest stored run skipped`,
    ]);
    expect(await stored(db, 'prod')).toEqual(['nov11', 'nov10']);
    expect(await stored(db, 'staging')).toEqual(['st-oct01']);
    // The next run's baseline is the newest real run, and retention keeps the newest runs.
    const store = await openRunStore(db, { retention: { maxRuns: 2, maxAgeDays: 0 } });
    expect((await store.latest('prod'))?.run.id).toBe('nov11');
    await store.save(run('prod', 'nov12', '11-12'));
    // Retention is per cluster: prod keeps its newest two, staging its one.
    expect((await store.list(9)).map((r) => r.id)).toEqual(['nov12', 'nov11', 'st-oct01']);
    await store.close();
  });

  it('a run already there is not "older": importing the same export again is exit 0 after newer runs were stored', async () => {
    const db = join(dir, 'h.db');
    writeFileSync(join(dir, 'runs.jsonl'), exportOf(run('prod', 'oct01', '10-01'), run('prod', 'oct02', '10-02')));
    expect(await main(['history', 'import', '--history', 'h.db', '--file', 'runs.jsonl'], captureIO(dir).cli)).toBe(0);
    await seed(db, run('prod', 'nov10', '11-10'));
    const again = captureIO(dir);
    expect(await main(['history', 'import', '--history', 'h.db', '--file', 'runs.jsonl'], again.cli)).toBe(0);
    expect(again.errLines()).toEqual([`ztaudit history import: 0 run(s) imported into ${db}, 2 already there`]);
  });

  it('stores the runs of standard input and of a pipe (--file <(…)) in their order too', async () => {
    const text = exportOf(run('prod', 'oct03', '10-03'), run('prod', 'oct01', '10-01'), run('prod', 'oct02', '10-02'));
    // Standard input in odd pieces: a line spans chunks, a chunk ends lines.
    const pieces = [];
    for (let i = 0; i < text.length; i += 777) pieces.push(Buffer.from(text.slice(i, i + 777)));
    const t = captureIO(dir);
    expect(await importRuns({ history: 'stdin.db' }, t.cli, { stdin: Readable.from(pieces) })).toBe(0);
    expect(t.errLines()).toEqual([`ztaudit history import: 3 run(s) imported into ${join(dir, 'stdin.db')}, 0 already there`]);
    expect(await stored(join(dir, 'stdin.db'))).toEqual(['oct02', 'oct01', 'oct03']);

    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = writeFile(fifo, text);
    const p = captureIO(dir);
    expect(await main(['history', 'import', '--history', 'pipe.db', '--file', fifo], p.cli)).toBe(0);
    await writer;
    expect(p.errLines()).toEqual([`ztaudit history import: 3 run(s) imported into ${join(dir, 'pipe.db')}, 0 already there`]);
    expect(await stored(join(dir, 'pipe.db'))).toEqual(['oct02', 'oct01', 'oct03']);
  });
});

describe('history import: runs the stores cannot keep', () => {
  it('a finding without what the stores read names its line and index; the other lines are imported', async () => {
    const broken = (id: string, change: (f: Record<string, unknown>) => void, at = 1): RunReport => {
      const r = run('prod', id, '11-01');
      change(r.findings[at] as unknown as Record<string, unknown>);
      return r;
    };
    const lines = [
      broken('no-resource', (f) => { delete f.resource; }, 3),
      broken('kind', (f) => { f.resource = { kind: 7, name: 'web' }; }),
      broken('name', (f) => { f.resource = { kind: 'Pod' }; }),
      broken('namespace', (f) => { f.resource = { kind: 'Pod', namespace: ['shop'], name: 'web' }; }),
      broken('fingerprint', (f) => { delete f.fingerprint; }),
      broken('check', (f) => { f.check = null; }),
      broken('severity', (f) => { f.severity = 'urgent'; }),
      broken('waived', (f) => { delete f.waived; }),
      { ...run('prod', 'not-object', '11-01'), findings: ['a string'] },
      { ...run('prod', 'no-notes', '11-01'), run: { ...run('prod', 'no-notes', '11-01').run, notes: undefined } },
      { ...run('prod', 'bad-diff', '11-01'), diff: { regression: 'yes' } },
      run('prod', 'good', '11-02'),
    ];
    writeFileSync(join(dir, 'runs.jsonl'), exportOf(...lines));
    const t = captureIO(dir);
    expect(await main(['history', 'import', '--history', 'h.db', '--file', 'runs.jsonl'], t.cli)).toBe(2);
    const at = (line: number, why: string) => `ztaudit history import: ${join(dir, 'runs.jsonl')} line ${line}: ${why}; skipped`;
    expect(t.errLines()).toEqual([
      at(2, 'run no-resource: finding 3: no resource'),
      at(3, 'run kind: finding 1: resource.kind is not a string'),
      at(4, 'run name: finding 1: no resource.name'),
      at(5, 'run namespace: finding 1: resource.namespace is not a string'),
      at(6, 'run fingerprint: finding 1: no fingerprint'),
      at(7, 'run check: finding 1: check is not a string'),
      at(8, 'run severity: finding 1: severity is not one of critical, high, medium, low'),
      at(9, 'run waived: finding 1: waived is not true or false'),
      at(10, 'run not-object: finding 0: not a JSON object'),
      at(11, 'run no-notes: run.notes is not a list'),
      at(12, 'run bad-diff: diff is neither null nor a diff with regression and regressionReasons'),
      `ztaudit history import: 1 run(s) imported into ${join(dir, 'h.db')}, 0 already there, 11 line(s) skipped as unusable`,
    ]);
    expect(await stored(join(dir, 'h.db'))).toEqual(['good']);
  });

  it('a waiver, run.partial or unjudgedNamespaces the diff and the fleet cannot read names its line and key; nothing of it is stored, and the next run and the fleet still work', async () => {
    const withRun = (id: string, change: (r: RunReport & Record<string, unknown>) => void): RunReport => {
      const r = run('prod', id, '11-01') as RunReport & Record<string, unknown>;
      change(r);
      return r;
    };
    const waiver = () => ({ ...run('prod', 'w', '11-01').waivers[0]! }) as unknown as Record<string, unknown>;
    const lines = [
      withRun('null-waiver', (r) => { (r as { waivers: unknown[] }).waivers = [null]; }),
      withRun('empty-waiver', (r) => { (r as { waivers: unknown[] }).waivers = [{}]; }),
      withRun('no-resource', (r) => { const w = waiver(); delete w.resource; (r as { waivers: unknown[] }).waivers = [w]; }),
      withRun('bad-state', (r) => { (r as { waivers: unknown[] }).waivers = [{ ...waiver(), state: 'forever' }]; }),
      withRun('partial-yes', (r) => { (r.run as unknown as Record<string, unknown>).partial = 'yes'; }),
      withRun('unjudged-5', (r) => { (r as { checks: unknown[] }).checks = [{ id: 'pod-security.enforce-missing', status: 'fail', unjudgedNamespaces: 5 }]; }),
      run('prod', 'good', '11-02'),
    ];
    writeFileSync(join(dir, 'runs.jsonl'), exportOf(...lines));
    const t = captureIO(dir);
    expect(await main(['history', 'import', '--history', 'h.db', '--file', 'runs.jsonl'], t.cli)).toBe(2);
    const at = (line: number, why: string) => `ztaudit history import: ${join(dir, 'runs.jsonl')} line ${line}: ${why}; skipped`;
    expect(t.errLines()).toEqual([
      at(2, 'run null-waiver: waiver 0: not a JSON object'),
      at(3, 'run empty-waiver: waiver 0: no check'),
      at(4, 'run no-resource: waiver 0: no resource'),
      at(5, 'run bad-state: waiver 0: state is not one of active, expiring-soon, expired, unmatched, not-evaluated'),
      at(6, 'run partial-yes: run.partial is not a list of reasons'),
      at(7, 'run unjudged-5: check 0: unjudgedNamespaces is not a list of namespaces'),
      `ztaudit history import: 1 run(s) imported into ${join(dir, 'h.db')}, 0 already there, 6 line(s) skipped as unusable`,
    ]);
    expect(await stored(join(dir, 'h.db'))).toEqual(['good']);
    // Before, the first line imported and every later run of the cluster, the fleet and `report` died on it.
    const fleet = captureIO(dir);
    expect(await main(['fleet', '--history', 'h.db', '--out', 'fleet'], fleet.cli)).toBe(0);
    expect(fleet.err()).not.toMatch(/internal error/);
  });

  it('a run stored with waivers nobody can read (another writer, an older import) is passed over by name: the fleet and the next diff do not crash on it', async () => {
    const db = join(dir, 'h.db');
    const bad = run('prod', 'bad-waivers', '11-02');
    (bad as { waivers: unknown[] }).waivers = [null];
    await seed(db, run('prod', 'good', '11-01'), bad);
    const fleet = captureIO(dir);
    const code = await main(['fleet', '--history', 'h.db', '--out', 'fleet'], fleet.cli);
    expect(fleet.err()).not.toMatch(/internal error|TypeError|at \S+ \(/);
    expect(fleet.err()).toContain('bad-waivers');
    expect(fleet.err()).toContain('its waiver 0: not a JSON object');
    expect([0, 2]).toContain(code);
  });

  it('an empty input (the export before it failed) is refused in one line, exit 2, and no store is made for it', async () => {
    writeFileSync(join(dir, 'empty.jsonl'), '');
    const file = captureIO(dir);
    expect(await main(['history', 'import', '--history', 'h.db', '--file', 'empty.jsonl'], file.cli)).toBe(2);
    expect(file.errLines()).toEqual([`ztaudit history import: ${join(dir, 'empty.jsonl')}: empty: not a ztaudit history export (an export begins with a header line even when it holds no run; did the export fail?)`]);
    expect(existsSync(join(dir, 'h.db'))).toBe(false);
    const stdin = captureIO(dir);
    expect(await importRuns({ history: 'piped.db' }, stdin.cli, { stdin: Readable.from(['\n']) })).toBe(2);
    expect(stdin.errLines()).toEqual(['ztaudit history import: standard input: empty: not a ztaudit history export (an export begins with a header line even when it holds no run; did the export fail?)']);
    expect(existsSync(join(dir, 'piped.db'))).toBe(false);
    // An export of a store holding no run is its header line alone: that imports as nothing, exit 0.
    writeFileSync(join(dir, 'none.jsonl'), exportOf());
    expect(await main(['history', 'import', '--history', 'h.db', '--file', 'none.jsonl'], captureIO(dir).cli)).toBe(0);
  });

  it('a run id that is not one (line breaks, Markdown, a link) is named escaped on one line and skipped, as is a previous run id like it', async () => {
    const evil = '20261204T000000Z-aaaaaa\n\n# Pwned heading\n\n[click me](https://evil.example/login)';
    const withPrevious = run('prod', 'next', '11-02');
    withPrevious.diff = { ...run('prod', 'x', '11-02').diff, regression: false, regressionReasons: [], previousRunId: evil } as RunReport['diff'];
    writeFileSync(join(dir, 'runs.jsonl'), exportOf(run('prod', evil, '11-01'), withPrevious, run('prod', 'good', '11-03')));
    const t = captureIO(dir);
    expect(await main(['history', 'import', '--history', 'h.db', '--file', 'runs.jsonl'], t.cli)).toBe(2);
    const shown = '20261204T000000Z-aaaaaa\\u000a\\u000a# Pwned heading\\u000a\\u000a[click me](https://evil.example/login)';
    const rule = 'a letter or digit, then up to 127 letters, digits, ".", "_", ":" or "-"';
    expect(t.errLines()).toEqual([
      `ztaudit history import: ${join(dir, 'runs.jsonl')} line 2: run.id "${shown}" is not a run id (${rule}); skipped`,
      `ztaudit history import: ${join(dir, 'runs.jsonl')} line 3: run next: diff.previousRunId "${shown}" is not a run id (${rule}); skipped`,
      `ztaudit history import: 1 run(s) imported into ${join(dir, 'h.db')}, 0 already there, 2 line(s) skipped as unusable`,
    ]);
    expect(await stored(join(dir, 'h.db'))).toEqual(['good']);
  });

  /** A real SQLite store that refuses to save `refuse`, and after that, when `thenGone`, answers nothing more. */
  function refusing(refuse: string, thenGone: boolean) {
    return async (url: string, deps: object): Promise<RunStore> => {
      const store = await openRunStore(url, deps);
      let gone = false;
      const own: Partial<RunStore> = {
        async save(r: RunReport) {
          if (gone || r.run.id === refuse) {
            gone = thenGone;
            throw new HistoryError(`cannot store run ${r.run.id}: disk I/O error\n(from the test)`);
          }
          return store.save(r);
        },
        async list(limit: number) {
          if (gone) throw new HistoryError('the store is gone');
          return store.list(limit);
        },
      };
      return new Proxy(store, {
        get(target, key) {
          if (key in own) return own[key as keyof RunStore];
          const v: unknown = Reflect.get(target, key, target);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
    };
  }

  it('a run the store refuses is named and skipped, the rest imported; a store that then answers nothing ends the import', async () => {
    writeFileSync(join(dir, 'runs.jsonl'), exportOf(run('prod', 'oct01', '10-01'), run('prod', 'oct02', '10-02'), run('prod', 'oct03', '10-03')));
    const t = captureIO(dir);
    expect(await importRuns({ history: 'h.db', file: 'runs.jsonl' }, t.cli, { openStore: refusing('oct02', false) })).toBe(2);
    expect(t.errLines()).toEqual([
      `ztaudit history import: ${join(dir, 'runs.jsonl')} line 3: run oct02 could not be stored: cannot store run oct02: disk I/O error\\u000a(from the test); skipped`,
      `ztaudit history import: 2 run(s) imported into ${join(dir, 'h.db')}, 0 already there, 1 run(s) refused by the store`,
    ]);
    expect(await stored(join(dir, 'h.db'))).toEqual(['oct03', 'oct01']);

    const g = captureIO(dir);
    expect(await importRuns({ history: 'gone.db', file: 'runs.jsonl' }, g.cli, { openStore: refusing('oct02', true) })).toBe(2);
    expect(g.errLines()).toEqual([
      `ztaudit history import: ${join(dir, 'runs.jsonl')} line 3: run oct02 could not be stored: cannot store run oct02: disk I/O error\\u000a(from the test); skipped`,
      'ztaudit history import: the store is gone (1 run(s) imported before; import again to go on)',
    ]);
  });
});

describe('history export and import: no run is one string', () => {
  /** A run whose line is ~5 MiB: 12,000 findings. */
  function bigRun(): RunReport {
    const r = run('prod', 'big', '11-01');
    const f = r.findings[0];
    r.findings = Array.from({ length: 12_000 }, (_, i): Finding => ({ ...f, fingerprint: `fp-${i}`, resource: { kind: 'Pod', namespace: 'shop', name: `web-${i}` }, message: `${'m'.repeat(200)} ${i}` }));
    return r;
  }

  it('export writes a run\'s line in pieces of about a MiB, and the pieces are its JSON', async () => {
    const db = join(dir, 'h.db');
    const big = bigRun();
    await seed(db, big);
    const pieces: Buffer[] = [];
    const stdout = new Writable({ highWaterMark: 1 << 20, write(chunk: Buffer, _enc, done) { pieces.push(chunk); setImmediate(done); } });
    expect(await exportRuns({ history: db }, captureIO(dir).cli, { stdout })).toBe(0);
    const text = Buffer.concat(pieces).toString('utf8');
    const line = text.split('\n')[1]!;
    expect(line.length).toBeGreaterThan(3 << 20);
    expect(JSON.parse(line)).toEqual(big);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThanOrEqual(1 << 20);
  });

  it('import parses a run\'s line a piece at a time: JSON.parse never sees more than a small part of it', async () => {
    const big = bigRun();
    const text = exportOf(big);
    writeFileSync(join(dir, 'big.jsonl'), text);
    const parse = JSON.parse;
    let longest = 0;
    const spy = vi.spyOn(JSON, 'parse').mockImplementation((s: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
      longest = Math.max(longest, s.length);
      return parse(s, reviver);
    });
    const t = captureIO(dir);
    try {
      expect(await main(['history', 'import', '--history', 'h.db', '--file', 'big.jsonl'], t.cli)).toBe(0);
    } finally {
      spy.mockRestore();
    }
    expect(t.errLines()).toEqual([`ztaudit history import: 1 run(s) imported into ${join(dir, 'h.db')}, 0 already there`]);
    expect(text.length).toBeGreaterThan(3 << 20);
    expect(longest).toBeLessThan(256 << 10);
    const store = await openRunStore(join(dir, 'h.db'), { readOnly: true });
    expect(await store.get('big')).toEqual(big);
    await store.close();
    expect(readFileSync(join(dir, 'big.jsonl'), 'utf8')).toBe(text);
  });
});
