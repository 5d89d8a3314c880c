// `ztaudit history export` is what a backup CronJob runs. A --history path with a typo names a
// SQLite file that does not exist: exporting "0 run(s)" from it with exit 0 would be a backup of
// nothing that looks like a backup. It is refused as `ztaudit fleet` refuses it (exit 2, one line
// naming the path, nothing written: DESIGN.md, exit code 2 "it could not run … with a one-line
// reason on stderr"). A store that exists and holds no run yet (the first backup before the first
// audit) is a legitimate export of nothing: exit 0, but said as a warning.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { openRunStore } from '../../../src/history/store.ts';
import { captureIO } from '../../helpers/cli.ts';
import { fleetRun } from '../fleet/seed.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ztaudit-export-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('history export from a store that is not there', () => {
  it('a SQLite path that names no file: exit 2, one line naming it, no export file and no database created', async () => {
    const t = captureIO(dir);
    expect(await main(['history', 'export', '--history', 'typo.db', '--file', 'e.jsonl'], t.cli)).toBe(2);
    expect(t.errLines()).toHaveLength(1);
    expect(t.errLines()[0]).toMatch(new RegExp(`^ztaudit history export: history database ${join(dir, 'typo.db').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} does not exist: nothing exported, no file written`));
    expect(existsSync(join(dir, 'e.jsonl'))).toBe(false);
    expect(existsSync(join(dir, 'typo.db'))).toBe(false);
    expect(t.out()).toBe('');
  });

  it('to standard output, not even the header line is written', async () => {
    const t = captureIO(dir, { ZTAUDIT_HISTORY: join(dir, 'nowhere', 'history.db') });
    expect(await main(['history', 'export'], t.cli)).toBe(2);
    expect(t.out()).toBe('');
    expect(t.errLines()).toEqual([expect.stringContaining(`history database ${join(dir, 'nowhere', 'history.db')} does not exist`)]);
  });

  it('a store that exists but holds no run: exported (a header only) with exit 0 and a warning', async () => {
    const db = join(dir, 'history.db');
    const store = await openRunStore(db);
    await store.close();
    const t = captureIO(dir);
    expect(await main(['history', 'export', '--history', db, '--file', 'e.jsonl'], t.cli)).toBe(0);
    expect(t.errLines()).toEqual([expect.stringMatching(/^ztaudit history export: warning: .*history\.db holds no runs: the export has none/)]);
    const lines = readFileSync(join(dir, 'e.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ format: 'ztaudit-history-export', version: 1 });
  });

  it('a store with runs exports them as before, without the warning', async () => {
    const db = join(dir, 'history.db');
    const store = await openRunStore(db);
    await store.save(fleetRun('prod', '20261120T020000Z-aaaaaa', '2026-11-20T02:00:00.000Z', 70));
    await store.close();
    const t = captureIO(dir);
    expect(await main(['history', 'export', '--history', db, '--file', 'e.jsonl'], t.cli)).toBe(0);
    expect(t.errLines()).toEqual([`ztaudit history export: 1 run(s) from ${db}`]);
  });
});
