// Check metadata is data: what a check protects against, its controls and its remediation
// are fields every consumer (explain, docs/checks.md, the report) reads.
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { CONTROL_ID } from '../../../checks/controls.ts';
import { main } from '../../../src/cli/main.ts';

describe('check catalog metadata', () => {
  it('every check says what it protects against, as a phrase read after "Protects against"', () => {
    const bad = CHECKS.filter((c) => !c.protectsAgainst || /^protects against/i.test(c.protectsAgainst) || /\.$/.test(c.protectsAgainst)).map((c) => c.id);
    expect(bad).toEqual([]);
  });

  it('every control id names a framework item in the shape the report groups by', () => {
    const bad = CHECKS.flatMap((c) => c.controls.filter((id) => !CONTROL_ID.test(id)).map((id) => `${c.id}: ${id}`));
    expect(bad).toEqual([]);
    const duplicated = CHECKS.filter((c) => new Set(c.controls).size !== c.controls.length).map((c) => c.id);
    expect(duplicated).toEqual([]);
  });

  it('explain prints what the check protects against, its controls and remediation from the fields', async () => {
    let out = '';
    const code = await main(['explain', 'tls.hsts-disabled'], { stdout: (t) => { out += t; }, stderr: () => {}, env: {}, isTTY: false, cwd: process.cwd() });
    expect(code).toBe(0);
    const check = CHECKS.find((c) => c.id === 'tls.hsts-disabled')!;
    expect(out).toContain(`protects against: ${check.protectsAgainst}`);
    expect(out).toContain('protects against: ingress-nginx serving HTTPS without HSTS');
    expect(out).toContain(`controls: ${check.controls.join(', ')}`);
    expect(out).toContain(`remediation: ${check.remediation}`);
  });
});
