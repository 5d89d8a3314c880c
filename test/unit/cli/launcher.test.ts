// bin/ztaudit.cjs on a Node.js it does not support: one line naming the version found, the
// version needed and where to get it; exit 2; never a stack trace. The Node version is faked
// with a preload (the real Node 20 is exercised by .ci/run); the launcher's source is plain
// ES5 CommonJS so that any old Node parses it before it can say so.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '../../..');
const LAUNCHER = join(REPO, 'bin/ztaudit.cjs');

function runAs(version: string, ...args: string[]) {
  const preload = join(mkdtempSync(join(tmpdir(), 'zt-node-')), 'fake-version.cjs');
  writeFileSync(preload, `Object.defineProperty(process, 'versions', { value: { ...process.versions, node: ${JSON.stringify(version)} } });\n`);
  return spawnSync(process.execPath, ['--require', preload, LAUNCHER, ...args], { encoding: 'utf8', cwd: REPO });
}

describe('bin/ztaudit.cjs', () => {
  // 23.0-23.6 lack module.setSourceMapsSupport, which the compiled CLI calls (Node's
  // changelog: "added in v23.7.0, v22.14.0", https://nodejs.org/api/module.html#modulesetsourcemapssupportenabled-options).
  for (const version of ['20.20.2', '18.19.1', '22.18.0', '23.0.0', '23.6.1']) {
    it(`on Node ${version}: one line, exit 2`, () => {
      const r = runAs(version, 'run', '--manifests', 'examples/demo-cluster');
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`ztaudit: Node.js ${version} is too old: ztaudit needs Node.js >= 22.19 (>= 23.7 on Node 23; 24 LTS recommended); get it from https://nodejs.org/en/download or your package manager\n`);
    });
  }

  for (const version of ['22.19.0', '23.7.0']) {
    it(`on Node ${version}: runs`, () => {
      const r = runAs(version, '--version');
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^ztaudit \d+\.\d+\.\d+\n$/);
      expect(r.status).toBe(0);
    }, 60_000);
  }

  it("drops Node 22's SQLite ExperimentalWarning (stderr stays empty with -q) and no other warning", () => {
    // Node 24 no longer warns, so the warnings Node 22 emits when node:sqlite is loaded are
    // emitted by a preload once the launcher is running, in each form process.emitWarning takes.
    const dir = mkdtempSync(join(tmpdir(), 'zt-warn-'));
    const preload = join(dir, 'warn.cjs');
    writeFileSync(preload, `setImmediate(() => {
      process.emitWarning('SQLite is an experimental feature and might change at any time', 'ExperimentalWarning');
      process.emitWarning('SQLite is an experimental feature and might change at any time', { type: 'ExperimentalWarning' });
      const e = new Error('SQLite is an experimental feature and might change at any time'); e.name = 'ExperimentalWarning';
      process.emitWarning(e);
      process.emitWarning('WASI is an experimental feature and might change at any time', 'ExperimentalWarning');
      process.emitWarning('SQLite is an experimental feature and might change at any time', 'DeprecationWarning');
    });\n`);
    const r = spawnSync(process.execPath, ['--require', preload, LAUNCHER, 'run', '-q', '--manifests', 'examples/demo-cluster', '--history', 'none', '--no-notify', '--out', join(dir, 'out')], { encoding: 'utf8', cwd: REPO });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('(Use `node --trace-'));
    expect(lines.map((l) => l.replace(/^\(node:\d+\) /, ''))).toEqual([
      'ExperimentalWarning: WASI is an experimental feature and might change at any time',
      'DeprecationWarning: SQLite is an experimental feature and might change at any time',
    ]);
  }, 60_000);

  it('is written in ES5: no syntax an old Node cannot parse before the version check (the warning filter it loads too)', () => {
    for (const file of [LAUNCHER, join(REPO, 'bin/drop-sqlite-warning.cjs')]) {
      const code = readFileSync(file, 'utf8').split('\n').filter((l) => !/^\s*\/\//.test(l)).join('\n');
      expect(code, file).not.toMatch(/=>|\blet\b|\bconst\b|`|\bclass\b|\basync\b|\bawait\b|\bimport\b|\.\.\.|\?\.|\?\?/);
    }
  });

  it('agrees with package.json engines', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe('^22.19 || >=23.7');
    expect(readFileSync(LAUNCHER, 'utf8')).toContain('major < 22 || (major === 22 && minor < 19) || (major === 23 && minor < 7)');
  });
});
