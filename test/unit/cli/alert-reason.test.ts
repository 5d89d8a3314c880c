// The "audit could not run" alert names every problem the run stopped on (a config with two
// wrong keys is two fixes), on one bounded line; what does not fit is counted, not dropped.
import { describe, expect, it } from 'vitest';
import { alertReason } from '../../../src/cli/wiring.ts';

describe('alertReason', () => {
  it('names each problem of a multi-problem error, on one line', () => {
    const why = 'ztaudit.yaml: bogusKey: unknown key\nztaudit.yaml: target.podSecurityLevel: must be one of baseline, restricted';
    expect(alertReason(why)).toBe('ztaudit.yaml: bogusKey: unknown key; ztaudit.yaml: target.podSecurityLevel: must be one of baseline, restricted');
    expect(alertReason('--cluster: empty')).toBe('--cluster: empty');
  });

  it('stays within 500 characters, counting the problems left out', () => {
    const problems = Array.from({ length: 20 }, (_, i) => `ztaudit.yaml: checks.k${i}: unknown check id (${'x'.repeat(40)})`);
    const reason = alertReason(problems.join('\n'));
    expect(reason.length).toBeLessThanOrEqual(500);
    const named = problems.filter((p) => reason.includes(`${p};`) || reason.includes(`${p} (+`)).length;
    expect(named).toBeGreaterThan(1);
    expect(reason.startsWith(problems.slice(0, named).join('; '))).toBe(true);
    expect(reason.endsWith(` (+${20 - named} more problems; see the job log)`)).toBe(true);
  });

  it('cuts one problem longer than the bound, still counting the rest', () => {
    const reason = alertReason(`${'a'.repeat(900)}\nsecond`);
    expect(reason.length).toBeLessThanOrEqual(500);
    expect(reason).toMatch(/^a+… \(\+1 more problem; see the job log\)$/);
  });
});
