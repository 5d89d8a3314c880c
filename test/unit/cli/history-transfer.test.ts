// `ztaudit history export | import` beyond the round trip (test/unit/fleet/fleet.test.ts): no
// run's line is ever one string.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { exportRuns } from '../../../src/cli/history-transfer.ts';
import { main } from '../../../src/cli/main.ts';
import { openRunStore } from '../../../src/history/store.ts';
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
