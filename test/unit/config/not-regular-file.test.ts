// A config given as something that is not a regular file (a device, a pipe) tells no size: it is
// read up to the config limit and no further, through the CLI as a user runs it. The child gets a
// 2 GB address-space cap: reading /dev/zero without bound would die on it, not take the machine.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NoWriterError, readAtMost } from '../../../src/base/read-at-most.ts';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const LAUNCHER = join(REPO, 'bin/ztaudit.cjs');
const DEMO = join(REPO, 'examples/demo-cluster');

/** ztaudit run with `configArg` (bash syntax: `<(…)` allowed), under `ulimit -v`. */
function runWithConfig(dir: string, configArg: string) {
  const script = `ulimit -v 2000000; exec "$NODE" "$LAUNCHER" run --manifests "$DEMO" --config ${configArg} --out out --history none --no-notify -q --format json`;
  return spawnSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE: process.execPath, LAUNCHER, DEMO }, timeout: 120_000 });
}

describe('--config that is not a regular file', () => {
  it('/dev/zero: exit 2 with one line naming the file and the 4 MiB limit, having read no more than that', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-cfg-dev-'));
    const r = runWithConfig(dir, '/dev/zero');
    expect(r.signal).toBeNull();
    expect(r.stderr).toBe('ztaudit: /dev/zero: gives more than 4 MiB, too large for a config file; is it the right file?\n');
    expect(r.status).toBe(2);
  });

  it('a pipe of process substitution (--config <(cat ztaudit.yaml)) is read as the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-cfg-pipe-'));
    writeFileSync(join(dir, 'piped.yaml'), 'cluster: {name: piped-config}\n');
    const r = runWithConfig(dir, '<(cat piped.yaml)');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')) as { run: { cluster: { name: string } } };
    expect(report.run.cluster.name).toBe('piped-config');
  });
});

describe('readAtMost on a named pipe', () => {
  it('a FIFO nobody writes to is given up on after the wait (opening it does not block), with NoWriterError', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-fifo-'));
    const fifo = join(dir, 'p');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(() => readAtMost(fifo, 1024, 200)).toThrow(NoWriterError);
  });

  it('a FIFO a writer opens later is read to the writer\'s end; past the limit, AboveLimitError', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-fifo-'));
    const fifo = join(dir, 'p');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // The reader runs in a child (it waits synchronously); a shell writes once it is polling.
    const code = (max: number) => `const { readAtMost, AboveLimitError } = await import(${JSON.stringify(join(REPO, 'src/base/read-at-most.ts'))});
try { process.stdout.write(readAtMost(${JSON.stringify(fifo)}, ${max}, 60000).toString()); } catch (e) { process.stdout.write(e instanceof AboveLimitError ? 'ABOVE' : String(e)); }`;
    const withWriter = (max: number) => spawnSync('bash', ['-c', `(sleep 0.5; printf 'cluster: {name: late}\\n' > "$FIFO") & "$NODE" --input-type=module -e "$CODE"; wait`], {
      encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE: process.execPath, FIFO: fifo, CODE: code(max) },
    });
    expect(withWriter(1024).stdout).toBe('cluster: {name: late}\n');
    expect(withWriter(5).stdout).toBe('ABOVE');
  });
});
