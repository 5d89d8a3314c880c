// An unusable temp directory (TMPDIR) is said as that, naming it: a PDF Chromium cannot print
// is not blamed on --out (which gets none of the run's reports), and findings that cannot be
// spooled to a temp file are kept in memory with a warning, not silently.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { skipOrFail } from '../helpers/ci.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const which = spawnSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' });
const chromium = which.status === 0 ? which.stdout.trim().split('\n')[0] : '';
if (!chromium) skipOrFail('e2e PDF temp-directory test', 'Chromium is not installed (apt-get install -y chromium)');

describe.skipIf(!chromium)('run --format pdf with an unusable TMPDIR', () => {
  it('exits 2 naming the temp directory and Chromium, not --out', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'zt-pdf-tmp-')), 'out');
    const missing = join(tmpdir(), `zt-no-such-dir-${process.pid}`);
    const r = spawnSync(process.execPath, [join(root, 'bin/ztaudit.cjs'), 'run', '--manifests', join(root, 'examples/demo-cluster'), '--out', out,
      '--history', 'none', '--no-notify', '-q', '--format', 'html,json,pdf'], { encoding: 'utf8', env: { ...process.env, TMPDIR: missing, ZTAUDIT_CHROMIUM: chromium } });
    expect(r.status).toBe(2);
    // The last line; the findings spool's warning about the same directory comes before it.
    const line = r.stderr.trim().split('\n').at(-1)!;
    expect(line).toMatch(/^ztaudit: --format pdf: Chromium could not print report\.pdf: .*ENOENT/);
    expect(line).toContain(`(Chromium works in the temp directory ${missing}, TMPDIR: it must exist and be writable)`);
    expect(line).not.toContain('--out');
    expect(existsSync(missing)).toBe(false);
    // The run is not stored: none of its reports replaces what --out held.
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('run with an unusable TMPDIR', () => {
  it('warns once that the findings stay in memory, naming the temp directory, and the run goes on', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'zt-spool-tmp-')), 'out');
    const missing = join(tmpdir(), `zt-no-such-dir-${process.pid}`);
    const r = spawnSync(process.execPath, [join(root, 'bin/ztaudit.cjs'), 'run', '--manifests', join(root, 'examples/demo-cluster'), '--out', out,
      '--history', 'none', '--no-notify', '-q', '--format', 'json'], { encoding: 'utf8', env: { ...process.env, TMPDIR: missing } });
    expect(r.status).toBe(0);
    const warned = r.stderr.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { msg: string }).msg).filter((m) => m.includes('temp file'));
    expect(warned).toEqual([`cannot make the findings' temp file in ${missing} (TMPDIR): the run goes on with every finding kept in memory (hundreds of MiB more on a large cluster); point TMPDIR at a writable directory`]);
    expect(readdirSync(out)).toEqual(['report.json']);
  });
});
