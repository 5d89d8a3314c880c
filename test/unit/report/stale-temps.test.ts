// report.json.<pid>.tmp left by a run that was killed (-9) between writing and renaming is
// removed by the next run that writes to the same directory; a temp file of a writer that is
// still running is left alone. The killed writer here is a real process, really SIGKILLed.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderReports } from '../../../src/report/render.ts';
import { readSnapshot, writeSnapshot } from '../../../src/snapshot/io.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { buildRun } from './fixtures.ts';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'ztaudit-temps-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Starts a process that writes `<name>.<its pid>.tmp` half-way, then kills it with SIGKILL. */
async function killedWriter(names: string[]): Promise<number> {
  const child = spawn(process.execPath, ['-e', `
    const fs = require('node:fs');
    for (const n of ${JSON.stringify(names)}) fs.writeFileSync(${JSON.stringify(dir)} + '/' + n + '.' + process.pid + '.tmp', '{"half":');
    process.stdout.write('ready\\n');
    setInterval(() => {}, 1000);
  `], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
  return child.pid!;
}

describe('leftover temp files', () => {
  it('the next run removes report files a SIGKILLed run left half-written', async () => {
    const pid = await killedWriter(['report.json', 'report.html', 'report.md']);
    expect(readdirSync(dir).sort()).toEqual([`report.html.${pid}.tmp`, `report.json.${pid}.tmp`, `report.md.${pid}.tmp`]);
    // A writer that is alive right now (this test's parent) keeps its file; so do unrelated files.
    writeFileSync(join(dir, `report.json.${process.ppid}.tmp`), 'in progress');
    writeFileSync(join(dir, 'notes.txt.123.tmp'), 'not ours');
    await renderReports(buildRun().report, { formats: ['json'], outDir: dir });
    expect(readdirSync(dir).sort()).toEqual(['notes.txt.123.tmp', 'report.json', `report.json.${process.ppid}.tmp`]);
  });

  it('a snapshot written with -o removes its own leftovers', async () => {
    const pid = await killedWriter(['snap.json.gz']);
    const file = join(dir, 'snap.json.gz');
    writeSnapshot(file, snapshotFromObjects([], { clusterName: 'c' }));
    expect(existsSync(`${file}.${pid}.tmp`)).toBe(false);
    expect((await readSnapshot(file)).cluster.name).toBe('c');
    expect(readdirSync(dir)).toEqual(['snap.json.gz']);
  });
});
