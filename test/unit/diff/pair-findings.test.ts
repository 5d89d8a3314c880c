// pairFindings keeps one map per check. These runs are written to break that: a check's
// findings split into several rows, fingerprints repeated within a run, checks that do not
// compare, and the same fingerprint under two checks. The expected pairs come from the rule
// itself, written the plain way: a finding is named by its check and fingerprint; the last
// finding of a name is the one kept, at the name's first place.
import { describe, expect, it } from 'vitest';
import { pairFindings } from '../../../src/diff/diff.ts';
import type { Finding } from '../../../src/run/types.ts';

function finding(check: string, fingerprint: string, tag: string): Finding {
  return { fingerprint, check, area: 'network', severity: 'high', resource: { kind: 'Namespace', name: tag }, message: tag, controls: [], waived: false };
}

/** The pairs by the rule, without any of pairFindings' bookkeeping. */
function expected(previous: Finding[], current: Finding[], comparable: ReadonlySet<string>) {
  const named = (findings: Finding[]) => {
    const byName = new Map<string, Finding>();
    for (const f of findings) if (comparable.has(f.check)) byName.set(JSON.stringify([f.check, f.fingerprint]), f);
    return byName;
  };
  const before = named(previous);
  const now = named(current);
  return {
    current: [...now.values()],
    was: [...now.keys()].map((name) => before.get(name)),
    resolved: [...before].filter(([name]) => !now.has(name)).map(([, f]) => f),
  };
}

/** A deterministic pseudo-random run: rows of a few checks, fingerprints from a small pool (so they repeat). */
function randomRun(seed: number, length: number, tag: string): Finding[] {
  let x = seed;
  const next = (n: number) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % n;
  };
  const out: Finding[] = [];
  while (out.length < length) {
    const check = `check-${next(5)}`;
    for (let row = 1 + next(6); row > 0; row--) out.push(finding(check, `fp-${next(12)}`, `${tag}${out.length}`));
  }
  return out;
}

describe('pairFindings', () => {
  it('pairs like the rule over 500 random pairs of runs (rows split, fingerprints repeated, checks that do not compare)', () => {
    const comparable = new Set(['check-0', 'check-1', 'check-2', 'check-3']);
    let differing = 0;
    for (let seed = 1; seed <= 500; seed++) {
      const previous = randomRun(seed, 40, 'p');
      const current = randomRun(seed * 7919, 40, 'c');
      const got = pairFindings(previous, current, comparable);
      try {
        expect(got).toEqual(expected(previous, current, comparable));
      } catch {
        differing++;
      }
    }
    expect(differing).toBe(0);
  });

  it('keeps a repeated fingerprint once, with its last finding, at its first place, even when its check comes back in a later row', () => {
    const previous = [finding('a', 'x', 'p1'), finding('b', 'y', 'p2'), finding('a', 'x', 'p3')];
    const current = [finding('a', 'x', 'c1'), finding('b', 'z', 'c2'), finding('a', 'x', 'c3')];
    const got = pairFindings(previous, current, new Set(['a', 'b']));
    expect(got.current.map((f) => f.message)).toEqual(['c3', 'c2']);
    expect(got.was.map((f) => f?.message)).toEqual(['p3', undefined]);
    expect(got.resolved.map((f) => f.message)).toEqual(['p2']);
  });

  it('does not pair a fingerprint across checks (a fingerprint hashes its check; only a hand-edited run repeats one under another)', () => {
    const got = pairFindings([finding('a', 'x', 'p1')], [finding('b', 'x', 'c1')], new Set(['a', 'b']));
    expect(got.was).toEqual([undefined]);
    expect(got.resolved.map((f) => f.message)).toEqual(['p1']);
  });
});
