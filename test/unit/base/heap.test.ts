// ZTAUDIT_HEAP_GROWTH_PERCENT: how far the heap may grow past its live size (GOGC's counterpart).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HEAP_GROWTH_PERCENT, heapGrowthPercent } from '../../../src/base/heap.ts';

const REPO = join(import.meta.dirname, '../../..');

describe('heap growth', () => {
  it('defaults to 40 % when unset or empty', () => {
    expect(DEFAULT_HEAP_GROWTH_PERCENT).toBe(40);
    expect(heapGrowthPercent({})).toEqual({ percent: 40 });
    expect(heapGrowthPercent({ ZTAUDIT_HEAP_GROWTH_PERCENT: ' ' })).toEqual({ percent: 40 });
  });

  it('takes a whole percent from 0 (V8\'s own choice) to 1000', () => {
    expect(heapGrowthPercent({ ZTAUDIT_HEAP_GROWTH_PERCENT: '0' })).toEqual({ percent: 0 });
    expect(heapGrowthPercent({ ZTAUDIT_HEAP_GROWTH_PERCENT: ' 100 ' })).toEqual({ percent: 100 });
    expect(heapGrowthPercent({ ZTAUDIT_HEAP_GROWTH_PERCENT: '1000' })).toEqual({ percent: 1000 });
  });

  for (const bad of ['-5', '40%', '1.5', '1001', 'lots', '99999']) {
    it(`refuses ${JSON.stringify(bad)} with one line naming the variable`, () => {
      const r = heapGrowthPercent({ ZTAUDIT_HEAP_GROWTH_PERCENT: bad });
      expect(r).toEqual({ error: `ZTAUDIT_HEAP_GROWTH_PERCENT=${JSON.stringify(bad)}: must be a whole number of percent from 0 (V8's own choice) to 1000` });
    });
  }

  it('a bad value stops the ztaudit command before it does anything: one line, exit 2', () => {
    const r = spawnSync(process.execPath, [join(REPO, 'bin/ztaudit.cjs'), 'run', '--manifests', 'examples/demo-cluster', '--out', '/nonexistent/never-written'], {
      encoding: 'utf8', cwd: REPO, env: { ...process.env, ZTAUDIT_HEAP_GROWTH_PERCENT: 'half' },
    });
    expect(r.stderr).toBe('ztaudit: ZTAUDIT_HEAP_GROWTH_PERCENT="half": must be a whole number of percent from 0 (V8\'s own choice) to 1000\n');
    expect(r.stdout).toBe('');
    expect(r.status).toBe(2);
  }, 60_000);

  it('a good value lets the command run', () => {
    const r = spawnSync(process.execPath, [join(REPO, 'bin/ztaudit.cjs'), '--version'], {
      encoding: 'utf8', cwd: REPO, env: { ...process.env, ZTAUDIT_HEAP_GROWTH_PERCENT: '25' },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 60_000);
});
