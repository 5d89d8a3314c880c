// serve's stored-run pages are rendered in a worker thread (src/cli/serve-pages.ts), which has a
// `process` of its own: the launcher's filter of Node 22's SQLite ExperimentalWarning (README
// "On Node 22 it drops Node's ExperimentalWarning about node:sqlite") does not reach it, and
// the worker loads node:sqlite when it opens the history. The warning Node 22 prints there
// ("(node:PID) ExperimentalWarning: SQLite is an experimental feature and might change at any
// time", lib/sqlite.js's emitExperimentalWarning('SQLite') through process.emitWarning) is not
// JSON and broke serve's log stream. Node 24 no longer warns, so the warnings are emitted by a
// preload in the worker (a worker inherits the process's execArgv, --require included), in each
// form process.emitWarning takes, beside one that must still show.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '../../..');

describe("serve's stored-run worker", () => {
  it("drops Node 22's SQLite ExperimentalWarning in the worker too, and no other warning", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-worker-warn-'));
    const preload = join(dir, 'warn-in-worker.cjs');
    writeFileSync(preload, `if (!require('node:worker_threads').isMainThread) setImmediate(() => {
      process.emitWarning('SQLite is an experimental feature and might change at any time', 'ExperimentalWarning');
      process.emitWarning('SQLite is an experimental feature and might change at any time', { type: 'ExperimentalWarning' });
      const e = new Error('SQLite is an experimental feature and might change at any time'); e.name = 'ExperimentalWarning';
      process.emitWarning(e);
      process.emitWarning('WASI is an experimental feature and might change at any time (in the worker)', 'ExperimentalWarning');
    });\n`);
    const child = spawn(process.execPath, ['--require', preload, join(REPO, 'bin/ztaudit.cjs'), 'serve', '--schedule', '0 2 * * *', '--port', '0',
      '--manifests', join(REPO, 'examples/demo-cluster'), '--history', join(dir, 'h.db'), '--out', join(dir, 'out'), '--no-notify'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    /** Resolves with the first stderr line `match` accepts; rejects when serve exits first or after a minute. */
    const line = (match: (l: string) => boolean) => new Promise<string>((resolve, reject) => {
      const look = () => { const found = stderr.split('\n').find(match); if (found !== undefined) { clearTimeout(timer); child.stderr.off('data', look); resolve(found); } };
      const timer = setTimeout(() => reject(new Error(`not seen:\n${stderr}`)), 60_000);
      child.stderr.on('data', look);
      void exited.then(() => reject(new Error(`serve exited:\n${stderr}`)));
      look();
    });
    child.stderr.on('data', (d: string) => { stderr += d; });
    try {
      const start = JSON.parse(await line((l) => l.includes('"serve-start"'))) as { address: string; port: number };
      const stored = JSON.parse(await line((l) => l.includes('"run-stored"'))) as { runId: string };
      // A run other than the latest (which the daemon serves from memory) is the worker's to look up: the first starts it.
      const page = await fetch(`http://${start.address}:${start.port}/runs/${stored.runId.replace(/-[0-9a-f]+$/, '-000000')}`);
      expect(page.status, stderr).toBe(404);
      expect(await page.text()).toMatch(/no such run in the history store/);
      await line((l) => l.includes('WASI is an experimental feature'));
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    // What is not JSON on stderr: the one warning that is not about SQLite, as Node prints it.
    const other = stderr.split('\n').filter((l) => l !== '' && !l.startsWith('{') && !l.startsWith('(Use `node --trace-'));
    expect(other.map((l) => l.replace(/^\(node:\d+\) /, ''))).toEqual(['ExperimentalWarning: WASI is an experimental feature and might change at any time (in the worker)']);
  }, 120_000);
});
