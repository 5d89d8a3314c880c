// The CI decision every tier shares: CI=true and CI=1 both make a missing prerequisite a
// failure; outside CI it is a loud skip.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { conformanceData, inCI, skipOrFail } from '../helpers/ci.ts';

describe('CI helper', () => {
  it('counts CI=true, CI=1 and any other value as CI; unset, empty, 0 and false as not', () => {
    for (const v of ['true', '1', 'TRUE', 'yes']) expect(inCI({ CI: v }), v).toBe(true);
    for (const v of [undefined, '', '0', 'false', 'False']) expect(inCI({ CI: v }), String(v)).toBe(false);
  });

  it('fails in CI and skips loudly outside it', () => {
    expect(() => skipOrFail('suite x', 'data missing', { CI: '1' })).toThrow('suite x cannot run under CI: data missing');
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => skipOrFail('suite x', 'data missing', {})).not.toThrow();
      expect(String(write.mock.calls[0]?.[0])).toContain('SKIPPED: suite x: data missing');
    } finally {
      write.mockRestore();
    }
  });

  it('finds a conformance data set, or fails in CI when it is missing', () => {
    const root = mkdtempSync(join(tmpdir(), 'zt-conf-'));
    mkdirSync(join(root, 'present'));
    writeFileSync(join(root, 'present', 'index.json'), '{}');
    expect(conformanceData('present', 'index.json', root, { CI: 'true' })).toBe(join(root, 'present'));
    expect(() => conformanceData('absent', 'index.json', root, { CI: 'true' })).toThrow(/conformance suite "absent" cannot run under CI: .*absent\/index.json is missing/);
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(conformanceData('absent', 'index.json', root, {})).toBeNull();
    } finally {
      write.mockRestore();
    }
  });
});
