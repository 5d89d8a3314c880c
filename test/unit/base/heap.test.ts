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

// releaseFreedHeap: after a full collection V8 keeps the freed heap pages pooled for reuse, and
// they stay resident; a collection of the "last-resort" flavour (V8's gc() options, documented in
// src/extensions/gc-extension.h: `flavor: 'regular' | 'last-resort'`) releases them. Measured
// in a child process, whose heap is nothing but this test's.
describe('releaseFreedHeap', () => {
  const child = (release: string) => spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', `
    import { releaseFreedHeap } from ${JSON.stringify(join(REPO, 'src/base/heap.ts'))};
    const rss = () => process.memoryUsage().rss;
    let junk = [];
    for (let i = 0; i < 3e6; i++) junk.push({ i, s: 'x' + i, o: [i] });
    const full = rss();
    junk = null;
    gc(); // the full collection that frees the objects, as the one after the audit does
    const pooled = rss();
    const released = ${release};
    console.log(JSON.stringify({ full, pooled, after: rss(), released }));
  `], { encoding: 'utf8', cwd: REPO });

  it('gives a large heap\'s freed pages back to the system, which a full collection alone keeps', () => {
    const r = child('releaseFreedHeap()');
    expect(r.stderr).toBe('');
    const { full, pooled, after, released } = JSON.parse(r.stdout) as Record<string, number | boolean>;
    const MiB = 1 << 20;
    expect(released).toBe(true);
    expect(full as number).toBeGreaterThan(400 * MiB);
    // What the test is about: after gc() the freed pages are still resident ...
    expect(pooled as number).toBeGreaterThan(300 * MiB);
    // ... and releaseFreedHeap returns them.
    expect(after as number).toBeLessThan((pooled as number) - 200 * MiB);
  }, 60_000);

  it('leaves a heap smaller than its threshold alone', () => {
    const r = child('releaseFreedHeap(Number.MAX_SAFE_INTEGER)');
    const { pooled, after, released } = JSON.parse(r.stdout) as Record<string, number | boolean>;
    expect(released).toBe(false);
    expect(after as number).toBeGreaterThan((pooled as number) - 50 * (1 << 20));
  }, 60_000);
});
