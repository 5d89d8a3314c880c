// A partial run's overall is a mean over what could be read: when a kind is forbidden, the
// failing checks that read it go blind and the overall rises (reviewer's repro: 25.3 complete,
// 32.6 with deployments forbidden, network n/a). DESIGN.md: "Missing data is not a fix". The
// terminal and the HTML say beside the number that it is partial and which areas it could not
// score, and the diff neither shows a rise nor names one among why the scores moved.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { readSnapshot, writeSnapshot } from '../../../src/snapshot/io.ts';
import { ROOT } from './demo.ts';

const quiet = { stdout: () => {}, stderr: () => {}, env: {}, isTTY: false, cwd: ROOT };

describe('the overall score of a partial run', () => {
  it('is marked partial beside the number in the terminal and the HTML, and the diff credits no rise', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-partial-overall-'));
    const snapshot = async (name: string, forbidden: string[]) => {
      const file = join(dir, `${name}.snap.json.gz`);
      expect(await main(['snapshot', '--manifests', 'examples/demo-cluster', '-o', file, '-q'], quiet)).toBe(0);
      const s = await readSnapshot(file);
      for (const kind of forbidden) {
        s.coverage[kind] = { status: 'forbidden', detail: `list ${kind}: 403` };
        delete (s.resources as Record<string, unknown>)[kind];
      }
      writeSnapshot(file, s);
      return file;
    };
    const run = async (i: number, snap: string) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(['run', '--snapshot', snap, '--config', 'examples/ztaudit.demo.yaml', '--cluster', 'demo', '--history', join(dir, 'h.db'), '--out', join(dir, `r${i}`), '--no-notify', '--format', 'json,html'],
        { ...quiet, stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) });
      expect(code, err.join('')).toBe(0);
      return { terminal: out.join(''), report: JSON.parse(readFileSync(join(dir, `r${i}`, 'report.json'), 'utf8')) as RunReport, html: readFileSync(join(dir, `r${i}`, 'report.html'), 'utf8') };
    };
    const full = await run(1, await snapshot('full', []));
    // Deployments and NetworkPolicies forbidden: every network check goes blind, failing ones too.
    const partial = await run(2, await snapshot('blind', ['deployments', 'networkpolicies']));

    expect(full.terminal).toMatch(/\noverall +\d+\.\d {2}D +\d+ findings\n/);
    expect(partial.report.score.areas.network).toBeNull();
    // The number over what could be read is higher than the complete run's: exactly what must not read as a fix.
    expect(partial.report.score.overall!).toBeGreaterThan(full.report.score.overall!);
    const applicable = partial.report.checks.filter((c) => c.status !== 'not-applicable');
    const evaluated = applicable.filter((c) => c.status === 'pass' || c.status === 'fail').length;
    const note = `partial: network not scored; over ${evaluated}/${applicable.length} checks, not comparable with a complete run`;
    expect(partial.terminal).toMatch(new RegExp(`\\noverall +${partial.report.score.overall!.toFixed(1)} {2}n/a +\\d+ findings \\(${note.replace(/[()/]/g, '\\$&')}\\)\\n`));
    expect(partial.html).toContain(`${evaluated} of ${applicable.length} checks evaluated; partial: network not scored; not comparable with a complete run`);
    expect(full.html).not.toContain('not comparable with a complete run');
    // The diff shows no overall delta and names no rise among the reasons.
    expect(partial.report.diff!.scoreDelta.overall).toBeNull();
    expect(partial.terminal).not.toMatch(/\noverall .*\(\+/);
    // "Why the scores moved": every area of the partial comparison without a delta (no "+" credited).
    expect([...partial.html.matchAll(/data-delta="([^"]*)"/g)].map((m) => m[1])).toEqual(Array(5).fill('n/a'));
  }, 60_000);
});
